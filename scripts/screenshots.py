"""`make screenshots`: the README's pictures of the widget, taken from a real
conversation (typed answers and a button) with the assistant started by the
project's own run script on spare loopback ports; then the analytics dashboard
over the demo data (`make demo-data`, made first if missing) and the review of
that same widget conversation."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from harness.browser import chromium
from harness.servers import Assistant, model_path
from troubleshooter.paths import ROOT

MIDWAY, RESOLVED = ROOT / "docs" / "widget.png", ROOT / "docs" / "widget-resolved.png"
DASHBOARD, REVIEW = ROOT / "docs" / "analytics.png", ROOT / "docs" / "review.png"
OPENING = (
    "hey, since this morning my tiktok dms won't send 😩 red exclamation mark next to every message. "
    "i'm on the school wifi btw"
)


def bot_count(driver) -> int:
    return len(driver.find_elements(By.CSS_SELECTOR, "#chat-log .msg.bot"))


def last_buttons(driver) -> list:
    groups = driver.find_elements(By.CSS_SELECTOR, "#chat-log .buttons")
    return groups[-1].find_elements(By.TAG_NAME, "button") if groups else []


def say(driver, wait, text: str | None = None, click: str | None = None) -> None:
    before = bot_count(driver)
    if click:
        next(b for b in last_buttons(driver) if b.text == click).click()
    else:
        driver.find_element(By.ID, "chat-input").send_keys(text + "\n")
    wait.until(lambda d: bot_count(d) > before and d.find_elements(By.CSS_SELECTOR, "#chat-log .msg.bot"))


def converse(driver, wait) -> None:
    say(driver, wait, OPENING)
    answers = iter([("nope", None), (None, "Not sure")])
    results = iter(["tried it, still broken", "omg it works now!!"])
    for _ in range(8):
        titles = [b.text for b in last_buttons(driver)]
        if "It worked" in titles:
            text = next(results, None)
            if text is None:
                return
            say(driver, wait, text)
            if text.startswith("omg"):
                return
            shoot(driver, MIDWAY)
        elif "Yes" in titles:
            text, click = next(answers, ("no", None))
            say(driver, wait, text, click)
        else:
            return


def shoot(driver, path: Path) -> None:
    """The widget alone, scrolled to its latest message."""
    driver.execute_script("const log = document.getElementById('chat-log'); log.scrollTop = log.scrollHeight;")
    path.parent.mkdir(exist_ok=True)
    driver.find_element(By.ID, "chat").screenshot(str(path))
    print(f"screenshots: wrote {path.relative_to(ROOT)}")


def analytics(driver, base: str) -> None:
    """The dashboard over the demo data, and the review of the widget conversation just held."""
    wait = WebDriverWait(driver, 60)
    driver.set_window_size(1300, 1900)
    driver.get(f"{base}/analytics?source=demo")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, '[data-chart="fixes"] svg rect'))
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="episode-row"]'))
    driver.save_screenshot(str(DASHBOARD))
    print(f"screenshots: wrote {DASHBOARD.relative_to(ROOT)}")
    with urllib.request.urlopen(f"{base}/analytics/episodes.json") as r:
        conversation = json.load(r)["episodes"][0]["conversation"]
    driver.set_window_size(1300, 1500)
    driver.get(f"{base}/analytics/review?id={conversation}")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="belief-bar"]'))
    driver.save_screenshot(str(REVIEW))
    print(f"screenshots: wrote {REVIEW.relative_to(ROOT)}")


def main() -> int:
    from analytics.service import DEMO_DB

    if not DEMO_DB.exists():
        print("screenshots: making the demo data first (make demo-data) ...", flush=True)
        subprocess.run([sys.executable, "-m", "analytics.demo", "--model", model_path()], cwd=ROOT, check=True)
    work = Path(tempfile.mkdtemp(prefix="screenshots-"))
    assistant = Assistant(work)
    print("screenshots: starting the assistant ...", flush=True)
    assistant.start()
    try:
        with chromium(1000, 760) as driver:
            wait = WebDriverWait(driver, 60)
            driver.get(assistant.web_url)
            wait.until(lambda d: d.find_element(By.ID, "chat-input").is_enabled())
            converse(driver, wait)
            shoot(driver, RESOLVED)
            analytics(driver, f"http://127.0.0.1:{assistant.web_port}")
    finally:
        assistant.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
