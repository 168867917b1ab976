"""The login page in Kazakh, Russian or English: the form that exchanges a funder's token
for a dashboard session, and a plain word on where a token comes from.

Kazakh is the default, as the dashboard's: the page the form leads to opens in the language
the form was in, and a funder who came without `?lang=` sees the same language on both."""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from services.reporting.api.render.layout import STYLE
from services.reporting.api.tokens import SESSION_HOURS
from services.reporting.figures.places import LANGUAGES

DEFAULT = "kk"

WORDS: dict[str, dict[str, str]] = {
    "title": {"kk": "Бағдарлама көрсеткіштеріне кіру", "ru": "Вход к показателям программы",
              "en": "Sign in to the programme dashboard"},
    "token": {"kk": "Токен", "ru": "Токен", "en": "Token"},
    "open": {"kk": "Ашу", "ru": "Открыть", "en": "Open"},
    "programme": {"kk": "Бағдарлама", "ru": "Программа", "en": "Programme"},
    "where": {"kk": "Токен қайдан алынады?", "ru": "Откуда берётся токен?",
              "en": "Where does a token come from?"},
    "issued": {
        "kk": "Әр қаржыландырушыға Baqylau платформасының операторы жеке токен шығарып"
              " (<code>baqylau token issue &lt;қаржыландырушы&gt;</code> командасымен), оны"
              " қаржыландырушыға тапсырады. Токен бір-ақ рет, шығарылған кезде көрсетіледі:"
              " оны құпия сақтаңыз және ешкімге бермеңіз. Токеніңіз жоқ болса немесе жоғалса,"
              " бағдарлама операторынан жаңасын сұраңыз (ескісі қайтарып алынады).",
        "ru": "Каждому источнику финансирования оператор платформы Baqylau выпускает"
              " собственный токен (командой <code>baqylau token issue &lt;источник&gt;</code>)"
              " и передаёт его. Токен показывается один раз, при выпуске: храните его в"
              " тайне и никому не передавайте. Если токена нет или он утерян, попросите"
              " новый у оператора программы (старый будет отозван).",
        "en": "The operator of the Baqylau platform issues each funder its own token (with"
              " <code>baqylau token issue &lt;funder&gt;</code>) and hands it over. A token is"
              " shown once, when it is issued: keep it secret and do not share it. If you"
              " have no token, or have lost it, ask the programme's operator for a new one"
              " (the old one is then revoked)."},
    "session": {
        "kk": "Кіргеннен кейін браузер сізді {hours} сағат бойы есте сақтайды; токен"
              " браузерде сақталмайды.",
        "ru": "После входа браузер помнит вас {hours} часов; сам токен в браузере не"
              " хранится.",
        "en": "Once you are in, the browser keeps you signed in for {hours} hours; the token"
              " itself is not kept in the browser."},
    # errors, by key (browser.py names them)
    "invalid_token": {"kk": "Токен жарамсыз немесе қайтарып алынған.",
                      "ru": "Токен недействителен или отозван.",
                      "en": "The token is not valid, or has been revoked."},
}


def language(asked: str | None) -> str:
    """The asked language if the page has it, else the default."""
    return asked if asked in LANGUAGES else DEFAULT


def page(programme_id: str, lang: str, error: str | None = None) -> str:
    """The form, in `lang`; `error` a key of WORDS, said above the form."""
    lang = language(lang)
    said = {key: words[lang] for key, words in WORDS.items()}
    warning = f'<p role="alert" class="error">{said[error]}</p>' if error else ""
    programme = escape(programme_id)
    # In a link the id is a query value first (quoted), then HTML (escaped).
    in_link = escape(quote(programme_id, safe=""))
    languages = " ".join(
        f'<a href="?programme_id={in_link}&amp;lang={code}" hreflang="{code}">'
        f"{code.upper()}</a>" for code in LANGUAGES)
    shown = (f'<p class="muted">{said["programme"]}: <code>{programme}</code></p>'
             if programme_id else "")
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>Baqylau · {said["title"]}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{STYLE}</style></head><body>
<nav>{languages}</nav>
<h1>{said["title"]}</h1>{shown}{warning}
<form method="post" action="/v1/session">
<input type="hidden" name="programme_id" value="{programme}">
<input type="hidden" name="lang" value="{lang}">
<label>{said["token"]} <input type="password" name="token" autocomplete="off" required>
</label>
<button type="submit">{said["open"]}</button></form>
<h2>{said["where"]}</h2>
<p class="note">{said["issued"]}</p>
<p class="note">{said["session"].format(hours=SESSION_HOURS)}</p>
</body></html>"""
