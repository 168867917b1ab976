"""The dashboard's indicators: each target against its actual as a pair of bars on the
indicator's own scale, the baseline marked on them and the way from the baseline to the
target said in words ("70.0 % (baseline 60 %, target 75 %): 10 of 15 points"); the table
below gives baseline, target, actual, progress from the baseline, share of the target
reached and the period's end."""

from __future__ import annotations

from html import escape
from typing import Any

from services.reporting.api.render.layout import figure, number, raw, row, svg, table
from services.reporting.api.render.shares import exact, percent, plain
from services.reporting.api.render.words import label
from services.reporting.figures import catalogue

WIDTH, BARS, BAR, GAP = 900, 600, 15, 18
TARGET, ACTUAL, BASELINE = "#ffffff", "#1f4e79", "#b03a2e"  # target outlined, actual filled


def _is_share(line: dict[str, Any]) -> bool:
    return line["measure"] == "percentage"


def exact_actual(line: dict[str, Any]) -> Any:
    """The actual as exactly as the report lets us know it: a share from its parts."""
    if _is_share(line) and line.get("denominator"):
        return exact(line["numerator"]) * 100 / exact(line["denominator"])
    return exact(line["actual"])


def shown(line: dict[str, Any], key: str) -> str:
    """Baseline, target or actual as a funder reads it: a share with its per cent sign
    (never rounded up to 100 %), a count with its thousands spaced."""
    if key == "actual" and _is_share(line):
        return (percent(line["numerator"], line["denominator"]) if line.get("denominator")
                else "—")
    value = line[key]
    if value is None:
        return "—"
    return f"{plain(value)}\u202f%" if _is_share(line) else number(value)


def way(line: dict[str, Any], lang: str) -> str:
    """How far from the baseline towards the target: "10 of 15 points"; "—" when the target
    is the baseline or there is no actual yet."""
    actual, baseline, target = exact_actual(line), exact(line["baseline"]), exact(line["target"])
    if actual is None or target == baseline:
        return "—"
    done = exact(line["actual"]) - baseline if _is_share(line) else actual - baseline
    words = label("points_of" if _is_share(line) else "count_of", lang)
    return (words.format(done=_amount(done, line), needed=_amount(target - baseline, line))
            + f" ({percent(actual - baseline, target - baseline)})")


def _amount(value: Any, line: dict[str, Any]) -> str:
    return plain(float(value)) if _is_share(line) else number(int(value))


def summary(line: dict[str, Any], lang: str) -> str:
    """"70.0 % (baseline 60 %, target 75 %): 10 of 15 points"; a count's baseline of 0 is
    left out."""
    said = [f"{label('baseline', lang)} {shown(line, 'baseline')}"]
    if not _is_share(line) and not exact(line["baseline"]):
        said = []
    said.append(f"{label('target', lang)} {shown(line, 'target')}")
    text = f"{label('actual', lang)}: {shown(line, 'actual')} ({', '.join(said)})"
    return text + (f": {way(line, lang)}" if said[:-1] else "")


def _name(line: dict[str, Any], lang: str) -> str:
    name = catalogue.label(line["indicator"], lang)
    if _is_share(line):  # the share, and of how many
        name += f", % ({number(line['numerator'])} / {number(line['denominator'])})"
    return name


def section(report: dict[str, Any], lang: str) -> str:
    lines = report["indicators"]
    if not lines:
        return f"<p>{label('none', lang)}</p>"
    rows = [row(escape(catalogue.label(i["indicator"], lang)), shown(i, "baseline"),
                shown(i, "target"), shown(i, "actual"),
                f'<td data-figure="progress_from_baseline:{escape(i["indicator"])}"'
                f' data-value="{raw(i.get("progress_from_baseline"))}">'
                f"{escape(way(i, lang))}</td>",
                f'<td data-figure="share_reached:{escape(i["indicator"])}"'
                f' data-value="{raw(i["share_reached"])}">'
                f"{percent(exact_actual(i), i['target'])}</td>", str(i["period_end"]))
            for i in lines]
    head = [label(k, lang) for k in ("indicator", "baseline", "target", "actual",
                                     "progress_from_baseline", "share_reached", "period_end")]
    return (figure(_bars(lines, lang), table(head, rows), stacked=True)
            + f'<p class="muted">{label("indicators_note", lang)}</p>')


def _bars(lines: list[dict[str, Any]], lang: str) -> str:
    """For each indicator its name and what it reached, then target and actual scaled to
    the larger, with the baseline as a line across both."""
    out, y = [], 0
    for line in lines:
        out.append(f'<text x="0" y="{y + 13}" font-weight="bold">'
                   f"{escape(_name(line, lang))}</text>"
                   f'<text x="0" y="{y + 31}">{escape(summary(line, lang))}</text>')
        y += 38
        top = max(float(line["target"]), float(line["actual"] or 0), 1.0)
        top_y = y
        for series, value, fill in (("target", float(line["target"]), TARGET),
                                    ("actual", float(line["actual"] or 0), ACTUAL)):
            width = max(int(BARS * value / top), 1)
            out.append(
                f'<rect x="0" y="{y}" width="{width}" height="{BAR}" fill="{fill}"'
                f' stroke="{ACTUAL}" data-figure="{escape(line["indicator"])}"'
                f' data-series="{label(series, lang)}" data-value="{value}"/>'
                f'<text x="{width + 6}" y="{y + 12}">{label(series, lang)}: '
                f'{shown(line, series)}</text>')
            y += BAR + 3
        baseline = float(line["baseline"] or 0)
        if baseline:
            x = int(BARS * baseline / top)
            out.append(f'<line x1="{x}" x2="{x}" y1="{top_y - 3}" y2="{y}" stroke="{BASELINE}"'
                       f' stroke-width="2" stroke-dasharray="4,2"/>')
        y += GAP
    return svg(WIDTH, y, "".join(out), label("indicators", lang), css="large")
