"""The report to print and send: the dashboard's page made into an A4 PDF on the server by
WeasyPrint, every page headed by the programme and the moment its figures stand at, footed
by whether they are approved (by whom, up to when) and numbered "page n of N".

WeasyPrint lays out in pure Python and holds the CPU for a second or more per report; in
the service's process that would stall every other request on the eventlet hub. So the PDF
is made in a child process (`python -m services.reporting.api.render.pdf`, HTML on stdin,
PDF on stdout), whose wait is green: the hub serves others meanwhile, at most RENDERS_AT_ONCE
children run at a time, each killed after TIMEOUT_SECONDS. The child fetches nothing: every
URL is refused, so a name in the data can never make the server read a file or call a host.

The page is drawn from the read model inside the request's transaction, and laid out after
it (a `Printable`): a render of a minute must not hold a snapshot open, nor the locks that
keep a rebuild from dropping the model it reads. The endpoint caches the Printable once per
state of the model, and the Printable keeps its PDF once made. A request finds no slot free
within SLOT_WAIT_SECONDS, or a render outlasts TIMEOUT_SECONDS: `RenderUnavailable`, which
the endpoint answers 503 with Retry-After, so a queue of PDFs never takes every worker.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from datetime import datetime
from typing import Any

from eventlet.event import Event
from eventlet.semaphore import Semaphore
from eventlet.timeout import Timeout

from services.reporting.figures.moments import KAZAKHSTAN

log = logging.getLogger(__name__)
RENDERS_AT_ONCE = 2
TIMEOUT_SECONDS = 120
SLOT_WAIT_SECONDS = 2.0  # a render slot (or the same PDF being made) waited for at most
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
    # An approval fixes the indicators with a target and the money totals only
    # (approvals.snapshot): the footer says so, not that the whole page was approved.
    "approved": {"kk": "Мақсаты бар көрсеткіштер мен қаржы қорытындыларын {by} бекітті,"
                       " {up_to} дейінгі деректер; содан бері өзгеріс жоқ",
                 "ru": "Показатели с целевыми значениями и итоги по финансам утвердил {by},"
                       " данные по {up_to}; с тех пор без изменений",
                 "en": "Indicators with targets and money totals approved by {by}, figures"
                       " up to {up_to}; unchanged since"},
    "changed": {"kk": "Алдын ала деректер. Мақсаты бар көрсеткіштер мен қаржы"
                      " қорытындыларын соңғы рет {by} бекітті, {up_to} дейін; содан бері"
                      " өзгергендері: {changed}",
                "ru": "Предварительные данные. Показатели с целевыми значениями и итоги по"
                      " финансам последний раз утвердил {by}, по {up_to}; изменилось с тех"
                      " пор: {changed}",
                "en": "Preliminary figures. Indicators with targets and money totals last"
                      " approved by {by} up to {up_to}; changed since: {changed}"},
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


class RenderUnavailable(Exception):
    """No PDF now, and why: `busy` (no render slot free in time) or `timeout`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Printable:
    """A page ready to print (its HTML with the running header and footer), made into a
    PDF on the first `pdf()`, kept once made; a failed render keeps nothing, so the next
    request tries again."""

    def __init__(self, html: str) -> None:
        self.html = html
        self._made: bytes | None = None
        self._making: Event | None = None

    def pdf(self) -> bytes:
        """The PDF; while another request makes it, waits as long as for a slot."""
        while self._made is None:
            making = self._making
            if making is not None:
                if making.wait(SLOT_WAIT_SECONDS) is None:  # timed out, still being made
                    raise RenderUnavailable("busy")
                continue  # made, or failed: then this request tries itself
            making = self._making = Event()
            try:
                self._made = render(self.html)
                self.html = ""  # the cache keeps the PDF: the page is not needed again
            finally:
                self._making = None
                making.send(True)
        return self._made


def document(page: str, report: dict[str, Any], lang: str, moment: datetime | None
             ) -> Printable:
    """The dashboard's `page` to print; `moment` is the past moment asked (`?as_of=`), or
    None for the live figures (stamped with the time the page is drawn)."""
    style = PRINT_STYLE % {
        "programme": css_string(programme_name(report, lang)),
        "moment": css_string(moment_line(moment, lang)),
        "status": css_string(status_line(report, lang, past=moment is not None)),
        "page": css_string(WORDS["page"][lang]), "of": css_string(WORDS["of"][lang])}
    return Printable(page.replace("</head>", f"<style>{style}</style></head>", 1))


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
    """HTML to PDF in a child process (see the module's docstring); RenderUnavailable when
    no slot frees within SLOT_WAIT_SECONDS or the child outlasts TIMEOUT_SECONDS."""
    if not _renders.acquire(timeout=SLOT_WAIT_SECONDS):
        log.warning("report PDF refused: all %d render slots busy", RENDERS_AT_ONCE)
        raise RenderUnavailable("busy")
    try:
        began = time.monotonic()
        returncode, made, said = _child(html.encode("utf-8"))
    finally:
        _renders.release()
    if returncode != 0 or not made.startswith(b"%PDF"):
        raise RuntimeError("the PDF could not be made: "
                           + said.decode("utf-8", "replace")[-500:])
    log.info("report PDF made in %.1f s (%d bytes)", time.monotonic() - began, len(made))
    return made


def _child(html: bytes) -> tuple[int, bytes, bytes]:
    """(exit status, stdout, stderr) of this module run on `html`, killed after
    TIMEOUT_SECONDS. Timed by eventlet, not by communicate(timeout=): eventlet's green
    Popen raises a TimeoutExpired class of its own copy of subprocess, which no
    `except subprocess.TimeoutExpired` catches."""
    environment = {k: os.environ[k] for k in CHILD_ENVIRONMENT if k in os.environ}
    with subprocess.Popen(  # noqa: S603 - this interpreter, this module; no shell
            [sys.executable, "-m", __name__], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, env=environment) as child:
        try:
            with Timeout(TIMEOUT_SECONDS, RenderUnavailable("timeout")):
                made, said = child.communicate(html)
        except RenderUnavailable:
            child.kill()
            log.warning("report PDF abandoned after %s s", TIMEOUT_SECONDS)
            raise
    return child.returncode, made, said


def _write_pdf(html: str) -> bytes:
    """In the child: lay the page out and write the PDF, fetching nothing."""
    import weasyprint  # only the child loads it (and pango): the service never does

    refuse_all = weasyprint.urls.URLFetcher(allowed_protocols=())
    return weasyprint.HTML(string=html, url_fetcher=refuse_all).write_pdf()


if __name__ == "__main__":
    sys.stdout.buffer.write(_write_pdf(sys.stdin.buffer.read().decode("utf-8")))
