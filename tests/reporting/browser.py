"""Debian's headless Chromium driven by Selenium (chromium-driver), for the dashboard."""

from __future__ import annotations

import shutil
from contextlib import contextmanager
from typing import Any, Iterator

from selenium import webdriver
from selenium.webdriver.chrome.service import Service


@contextmanager
def chromium() -> Iterator[Any]:
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1200,2400", "--lang=kk"):
        options.add_argument(flag)
    service = Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(options=options, service=service)
    try:
        yield driver
    finally:
        driver.quit()


def figures(driver: Any) -> dict[str, str]:
    """Every figure the page shows: `data-figure[/data-series]` -> data-value or text."""
    shown = {}
    for element in driver.find_elements("css selector", "[data-figure]"):
        key = element.get_attribute("data-figure")
        series = element.get_attribute("data-series")
        value = element.get_attribute("data-value")
        shown[f"{key}/{series}" if series else key] = value if value is not None \
            else element.text
    return shown
