"""The report to print and send: the dashboard's page made into an A4 PDF on the server by
WeasyPrint, every page headed by the programme and the moment its figures stand at, footed
by whether they are approved (by whom, up to when) and numbered "page n of N".

WeasyPrint lays out in pure Python and holds the CPU for a second or more per report; in
the service's process that would stall every other request on the eventlet hub. So the PDF
is made in a child process (`python -m services.reporting.api.render.pdf`, HTML on stdin,
PDF on stdout), whose wait is green: the hub serves others meanwhile, at most RENDERS_AT_ONCE
children run at a time, each killed after TIMEOUT_SECONDS. The endpoint caches the result
once per state of the model, like the workbook. The child fetches nothing: every URL is
refused, so a name in the data can never make the server read a file or call a host.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from datetime import datetime
from typing import Any

from eventlet.semaphore import Semaphore

from services.reporting.figures.moments import KAZAKHSTAN

log = logging.getLogger(__name__)
RENDERS_AT_ONCE = 2
TIMEOUT_SECONDS = 120
_renders = Semaphore(RENDERS_AT_ONCE)
# What the child needs of the service's environment (not its passwords).
CHILD_ENVIRONMENT = ("PATH", "LANG", "LC_ALL", "HOME", "TMPDIR", "XDG_CACHE_HOME",
                     "PYTHONPATH", "PYTHONDONTWRITEBYTECODE", "FONTCONFIG_PATH")

WORDS: dict[str, dict[str, str]] = {
    "as_of": {"kk": "Деректер {moment} (UTC+5) жағдайы бойынша",
              "ru": "Данные по состоянию на {moment} (UTC+5)",
              "en": "Figures as of {moment} (UTC+5)"},
    "unapproved": {"kk": "Алдын ала деректер: іске асырушы серіктес әлі бекітпеген",
                   "ru": "Предварительные данные: реализующий партнёр ещё не утвердил",
                   "en": "Preliminary figures: not yet approved by the implementing partner"},
    "approved": {"kk": "Бекітілген: {by}, {up_to} дейінгі деректер; содан бері өзгеріс жоқ",
                 "ru": "Утверждено: {by}, данные по {up_to}; с тех пор без изменений",
                 "en": "Approved by {by}, figures up to {up_to}; unchanged since"},
    "changed": {"kk": "Алдын ала деректер. Соңғы бекіту: {by}, {up_to} дейін; содан бері"
                      " өзгерген көрсеткіштер: {changed}",
                "ru": "Предварительные данные. Последнее утверждение: {by}, по {up_to};"
                      " изменилось показателей с тех пор: {changed}",
                "en": "Preliminary figures. Last approved by {by} up to {up_to};"
                      " figures changed since: {changed}"},
    "past": {"kk": "Алдын ала деректер: сол сәтке дейін тіркелгені; бекітулер ағымдағы"
                   " есепте",
             "ru": "Предварительные данные: записанное к этому моменту; утверждения — в"
                   " текущем отчёте",
             "en": "Preliminary figures: as recorded by that moment; approvals are on the"
                   " current report"},
    "page": {"kk": "Бет", "ru": "Страница", "en": "Page"},
    "of": {"kk": "/", "ru": "из", "en": "of"},
}

# After the dashboard's own style (layout.STYLE, whose @media print WeasyPrint applies):
# wider top and bottom margins hold the running header and footer. A chart's last label
# may run past its drawing's edge ("10 486" beside a full bar): printed, not cut off. A
# table as wide as the outcomes' (eight columns of means with their intervals) fits the
# page's width in smaller type, an interval wrapping after its mean.
PRINT_STYLE = """
@page{size:A4;margin:20mm 12mm 18mm;font-family:"DejaVu Sans",sans-serif;
 @top-left{content:%(programme)s;font-size:8pt;color:#333;vertical-align:bottom;
  padding-bottom:3mm;width:55%%}
 @top-right{content:%(moment)s;font-size:8pt;color:#333;vertical-align:bottom;
  padding-bottom:3mm;text-align:right}
 @bottom-left{content:%(status)s;font-size:8pt;color:#000;vertical-align:top;
  padding-top:3mm;width:78%%}
 @bottom-right{content:%(page)s " " counter(page) " " %(of)s " " counter(pages);
  font-size:8pt;vertical-align:top;padding-top:3mm;text-align:right}}
body{font-family:"DejaVu Sans",sans-serif}
nav{display:none}
svg{overflow:visible}
a{color:inherit;text-decoration:none}
table{font-size:7.5pt;max-width:100%%}
td,th{padding:2px 4px}
td.n,td[data-value],td[data-figure]{white-space:normal}
"""


def document(page: str, report: dict[str, Any], lang: str, moment: datetime | None) -> bytes:
    """The dashboard's `page` as a PDF; `moment` is the past moment asked (`?as_of=`), or
    None for the live figures (stamped with the time they are rendered)."""
    style = PRINT_STYLE % {
        "programme": css_string(programme_name(report, lang)),
        "moment": css_string(moment_line(moment, lang)),
        "status": css_string(status_line(report, lang, past=moment is not None)),
        "page": css_string(WORDS["page"][lang]), "of": css_string(WORDS["of"][lang])}
    return render(page.replace("</head>", f"<style>{style}</style></head>", 1))


def programme_name(report: dict[str, Any], lang: str) -> str:
    return str(report.get(f"name_{lang}") or report.get("name_ru") or report["programme_id"])


def moment_line(moment: datetime | None, lang: str) -> str:
    shown = (moment or datetime.now(KAZAKHSTAN)).astimezone(KAZAKHSTAN)
    return WORDS["as_of"][lang].format(moment=shown.strftime("%Y-%m-%d %H:%M"))


def status_line(report: dict[str, Any], lang: str, past: bool = False) -> str:
    """Whether the figures are approved: not yet; approved and unchanged since; or
    preliminary, with the last approval and how many figures changed after it."""
    if past:
        return WORDS["past"][lang]
    approval = report.get("approval")
    if not approval:
        return WORDS["unapproved"][lang]
    up_to = approval["up_to"]
    if isinstance(up_to, str):
        up_to = datetime.fromisoformat(up_to)
    words = {"by": _funder_name(report, approval["approved_by"], lang),
             "up_to": up_to.astimezone(KAZAKHSTAN).strftime("%Y-%m-%d %H:%M"),
             "changed": len(approval.get("changes") or [])}
    return WORDS["changed" if words["changed"] else "approved"][lang].format(**words)


def _funder_name(report: dict[str, Any], funder_id: str, lang: str) -> str:
    """The approving partner by name where a commitment of theirs names them, else its id."""
    for line in report["money"]["commitments"]:
        if line["funder_id"] == funder_id:
            name = line.get(f"funder_name_{lang}") or line.get("funder_name_ru")
            if name:
                return str(name)
    return funder_id


def css_string(text: str) -> str:
    """`text` as a CSS string inside a <style> element: quotes, backslashes, line breaks
    and `<` (which could close the element) written as escapes."""
    out = []
    for char in text:
        if char in '"\\<>&' or ord(char) < 32:
            out.append(f"\\{ord(char):x} ")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def render(html: str) -> bytes:
    """HTML to PDF in a child process (see the module's docstring)."""
    environment = {k: os.environ[k] for k in CHILD_ENVIRONMENT if k in os.environ}
    with _renders:
        began = time.monotonic()
        done = subprocess.run(  # noqa: S603 - this interpreter, this module; no shell
            [sys.executable, "-m", __name__], input=html.encode("utf-8"),
            capture_output=True, timeout=TIMEOUT_SECONDS, env=environment, check=False)
    if done.returncode != 0 or not done.stdout.startswith(b"%PDF"):
        raise RuntimeError("the PDF could not be made: "
                           + done.stderr.decode("utf-8", "replace")[-500:])
    log.info("report PDF made in %.1f s (%d bytes)", time.monotonic() - began,
             len(done.stdout))
    return done.stdout


def _write_pdf(html: str) -> bytes:
    """In the child: lay the page out and write the PDF, fetching nothing."""
    import weasyprint  # only the child loads it (and pango): the service never does

    refuse_all = weasyprint.urls.URLFetcher(allowed_protocols=())
    return weasyprint.HTML(string=html, url_fetcher=refuse_all).write_pdf()


if __name__ == "__main__":
    sys.stdout.buffer.write(_write_pdf(sys.stdin.buffer.read().decode("utf-8")))
