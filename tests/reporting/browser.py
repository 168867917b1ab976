"""Debian's headless Chromium driven by Selenium (chromium-driver), for the dashboard: the
figures a page shows, screenshots of all of it, and the page printed to PDF as a funder's
"Save as PDF" would (print media: no navigation, A4)."""

from __future__ import annotations

import base64
import re
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

WIDTH, HEIGHT = 1200, 1600
A4 = (8.27, 11.69)  # inches, as Chrome's printToPDF takes them


@contextmanager
def chromium() -> Iterator[Any]:
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 f"--window-size={WIDTH},{HEIGHT}", "--lang=kk"):
        options.add_argument(flag)
    service = Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(60)  # a page that never loads fails, not chromedriver's 300 s
    try:
        yield driver
    finally:
        driver.quit()


def log_in(driver: Any, web: str, programme: str, token: str, deadline: float = 30,
           lang: str = "kk") -> None:
    """Through the login form in `lang`, as a funder would; the dashboard opens in the same
    language. A click returns before the redirect it starts has landed, so this waits for
    the dashboard's address, up to a deadline."""
    driver.get(f"{web}/v1/login?programme_id={programme}&lang={lang}")
    driver.find_element("name", "token").send_keys(token)
    driver.find_element("css selector", "button[type=submit]").click()
    wanted = f"/v1/dashboard/{programme}?lang={lang}"
    try:
        WebDriverWait(driver, deadline).until(lambda d: d.current_url.endswith(wanted))
    except TimeoutException:
        shown = driver.find_element("tag name", "body").text[:300]
        raise AssertionError(f"after {deadline} s the login had not reached {wanted}: still "
                             f"at {driver.current_url}, showing {shown!r}") from None


# One call for the whole page: an attribute read per element over WebDriver would cost a
# round trip each, and a page has hundreds of figures.
FIGURES = """return Array.from(document.querySelectorAll('[data-figure]'), e => [
  e.getAttribute('data-figure'), e.getAttribute('data-series'), e.getAttribute('data-value'),
  e.innerText === undefined ? e.textContent : e.innerText])"""


def figures(driver: Any) -> dict[str, str]:
    """Every figure the page shows: `data-figure[/data-series]` -> data-value or text."""
    return {f"{key}/{series}" if series else key: value if value is not None else text
            for key, series, value, text in driver.execute_script(FIGURES)}


def screenshots(driver: Any, folder: Path, name: str) -> list[Path]:
    """The whole page, a window's height at a time (name-1.png, name-2.png, …): a picture
    one can read, which a single very tall one is not."""
    folder.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    shots = []
    for part, top in enumerate(range(0, height, HEIGHT), start=1):
        driver.execute_script(f"window.scrollTo(0, {top})")
        shots.append(folder / f"{name}-{part}.png")
        driver.save_screenshot(str(shots[-1]))
    driver.execute_script("window.scrollTo(0, 0)")
    return shots


def as_printed(driver: Any, folder: Path, name: str) -> bytes:
    """The page printed to A4 PDF with the page's own @page size, saved as name.pdf; first,
    under print media, the navigation must be gone."""
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert not driver.find_element("css selector", "nav").is_displayed()
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    printed = driver.execute_cdp_cmd("Page.printToPDF", {
        "paperWidth": A4[0], "paperHeight": A4[1], "preferCSSPageSize": True,
        "printBackground": True})
    pdf = base64.b64decode(printed["data"])
    (folder / f"{name}.pdf").write_bytes(pdf)
    return pdf


def pdf_pages(pdf: bytes) -> list[tuple[float, float]]:
    """Each page's size in points, read from its MediaBox (Chrome writes one per page)."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    return [(float(w), float(h)) for w, h in boxes]
