"""Debian's headless Chromium driven by selenium (the widget test and `make screenshots`)."""

from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

DRIVER = Path("/usr/bin/chromedriver")


@contextmanager
def chromium(width: int = 1200, height: int = 800, language: str | None = None):
    """A headless Chromium; `language` (e.g. "es-ES") is the browser's language (navigator.language)."""
    if not shutil.which("chromium") or not DRIVER.exists():
        raise RuntimeError("chromium/chromium-driver missing: `make setup-test` installs them")
    profile = tempfile.mkdtemp(prefix="chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium")
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--window-size={width},{height}",
        f"--user-data-dir={profile}",
    ):
        opts.add_argument(flag)
    if language:
        opts.add_argument(f"--lang={language}")
        opts.add_experimental_option("prefs", {"intl.accept_languages": language})
    driver = webdriver.Chrome(service=Service(str(DRIVER)), options=opts)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
