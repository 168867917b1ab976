"""The report printed: the dashboard's page drawn inside the request's transaction, laid out
as a PDF after it (render/pdf.py), and the answer when no PDF can be made now."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from werkzeug.wrappers import Response

from services.reporting.api.render import dashboard, pdf, trends
from services.reporting.api.responses import json_response
from services.reporting.figures import daily, moments
from services.reporting.figures import provenance as recorded_by
from services.reporting.figures.places import in_language

PDF = "application/pdf"


class AfterTransaction:
    """What a `build` answers when the rest of its work must not hold the read model's
    transaction (laying a PDF out): `finish` is called once the transaction is over."""

    def __init__(self, finish: Callable[[], Response]) -> None:
        self.finish = finish


# Why no PDF now (pdf.RenderUnavailable's reason): what the funder reads, when to retry.
UNAVAILABLE = {"busy": ("every PDF render slot is taken; retry shortly", "10"),
               "timeout": ("the PDF took too long to make; retry later", "60")}


def printed(printable: pdf.Printable, headers: dict[str, str]) -> Response:
    """The PDF, made now if it is not yet; 503 naming why when it cannot be made now."""
    try:
        body = printable.pdf()
    except pdf.RenderUnavailable as exc:
        message, retry = UNAVAILABLE[exc.reason]
        return json_response({"error": "unavailable", "reason": f"pdf_{exc.reason}",
                              "message": message}, 503, **{"Retry-After": retry})
    return Response(body, status=200, mimetype=PDF, headers=headers)


def dashboard_page(read_model: Any, cur: Any, schema: str, report: dict[str, Any],
                    lang: str, moment: datetime | None, as_of: str | None) -> str:
    """The dashboard's page as the browser's is drawn (browser.py), its daily series cut
    at `moment` when a past one is asked (`as_of`, as asked, said on the page)."""
    programme_id = report["programme_id"]
    series = daily.series(cur, programme_id)
    if moment is not None:
        last_day = moment.astimezone(moments.KAZAKHSTAN).date()
        series = {name: [p for p in points if p[0] <= last_day]
                  for name, points in series.items()}
    districts = in_language(read_model.drill_down(cur, programme_id, schema, "districts"),
                            lang)
    return dashboard.page(report, districts, lang, series, recorded_by.of_programme(
        cur, schema, programme_id, trends.audited(report)), as_of)
