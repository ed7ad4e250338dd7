"""The widget on another site's page (web/embed.js) in headless Chromium. A "help centre" on another
loopback port (another origin) has the one script tag and hostile CSS; the shared assistant's page server
(scripts/serve_web.py, EMBED_ORIGINS: Assistant(help_centre=True)) allows that origin only. (Its socket.io
accepts the page server's origin only, which is the frame's: the widget in the frame talks to it as at home.)

What the shadow DOM protects, and what this test checks: the page's selectors (`*`, `button`, `iframe`,
`div`, even the host element's own attribute) cannot reach inside the shadow root, and whatever they set
on the host element is overridden by the shadow root's `:host { ... !important }` (which wins over the
page's !important rules); inherited properties (colour, font size, visibility) are reset there too.
What nothing inside the page can protect against, and is not tested: styles on an ancestor that apply to
the whole subtree (`body { display: none }`, `opacity`, `filter`, or a `transform` that makes <body> the
containing block of position: fixed), and the page's own scripts (they can remove or cover the launcher)."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from harness.servers import free_port_besides

HOSTILE = """
* { display: block !important; position: static !important; color: red !important; font-size: 40px !important;
    visibility: hidden !important; width: 12px !important; height: 12px !important; z-index: 0 !important; }
iframe, button { display: none !important; }
div, [data-troubleshooter-embed] { opacity: 0 !important; transform: scale(0) !important; right: 90% !important; }
"""
PINK = "rgb(254, 44, 85)"  # the launcher's colour (web/embed.js): seen on the page's own elements, it leaked


def help_page(widget_origin: str) -> bytes:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Help centre</title>
<script>
  var beforeEmbed = new Set(Object.getOwnPropertyNames(window).concat(["beforeEmbed", "addedByEmbed"]));
  addEventListener("load", function () {{  // after every async script (they delay the load event)
    window.addedByEmbed = Object.getOwnPropertyNames(window).filter(function (n) {{
      return !beforeEmbed.has(n) && !/^[0-9]+$/.test(n);  // window[0]: the page's own frame
    }});
  }});
</script>
<script src="{widget_origin}/embed.js" async></script>
<style>{HOSTILE}</style></head>
<body><h1>Help centre</h1><p id="article">How to send messages.</p>
<button class="launcher panel" id="own-button">The page's own button</button>
<div class="panel" id="own-div">The page's own panel</div>
<iframe id="own-frame" src="about:blank"></iframe>
</body></html>""".encode()


class HelpCentre:
    """A tiny site of its own on a loopback port: the same help page for every path."""

    def __init__(self, widget_origin: str, port: int):
        body = help_page(widget_origin)

        class Page(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, fmt, *args):
                pass

        self.port = port
        self.origin = f"http://127.0.0.1:{self.port}"
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Page)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def sites(assistant):
    """The help centre the assistant's page server allows, and another one (a third port) it does not."""
    widget_origin = assistant.web_url.rstrip("/")
    allowed = HelpCentre(widget_origin, assistant.help_centre_port)
    try:
        other = HelpCentre(widget_origin, free_port_besides(assistant.ports))
    except BaseException:
        allowed.stop()
        raise
    assert allowed.origin == assistant.help_centre_origin
    try:
        yield {"widget": widget_origin, "allowed": allowed.origin, "other": other.origin}
    finally:
        allowed.stop()
        other.stop()


def shadow(driver):
    host = driver.find_element(By.CSS_SELECTOR, "[data-troubleshooter-embed]")
    return host, host.shadow_root


def launcher_of(driver):
    """The launcher once embed.js (loaded async) has put it on the page."""
    WebDriverWait(driver, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, "[data-troubleshooter-embed]"))
    return shadow(driver)[1].find_element(By.CSS_SELECTOR, "button.launcher")


def css(driver, element, prop):
    return driver.execute_script("return getComputedStyle(arguments[0]).getPropertyValue(arguments[1])", element, prop)


def buttons(driver):
    return [b.text for b in driver.find_elements(By.CSS_SELECTOR, "#chat-log .buttons button")][-3:]


def chat(driver) -> str:
    """What the widget shows (for a failure's message)."""
    return driver.execute_script(
        "return [document.getElementById('chat-status').textContent, document.getElementById('chat-log').innerText]"
    )


def test_the_widget_on_an_allowed_help_centre_despite_its_css(sites, browser):
    browser.get(sites["allowed"] + "/")
    launcher = launcher_of(browser)
    host, root = shadow(browser)
    # The hostile CSS is in force on the page itself (or the rest would prove nothing) ...
    article = browser.find_element(By.ID, "article")
    assert css(browser, article, "font-size") == "40px" and css(browser, article, "color") == "rgb(255, 0, 0)"
    assert css(browser, browser.find_element(By.ID, "own-frame"), "display") == "none"
    # ... and it neither hides, moves nor restyles the launcher.
    assert launcher.is_displayed()
    assert css(browser, launcher, "font-size") != "40px" and css(browser, launcher, "color") == "rgb(255, 255, 255)"
    assert css(browser, launcher, "background-color") == PINK
    assert css(browser, host, "position") == "fixed" and css(browser, host, "opacity") == "1"
    rect = launcher.rect
    width, height = browser.execute_script("return [window.innerWidth, window.innerHeight]")
    assert (round(rect["width"]), round(rect["height"])) == (56, 56)
    assert width - 40 <= rect["x"] + rect["width"] <= width and height - 40 <= rect["y"] + rect["height"] <= height
    on_top = "var r = arguments[0].getBoundingClientRect(); return document.elementFromPoint(r.x + 28, r.y + 28)"
    assert browser.execute_script(on_top, launcher) == host
    # Our CSS does not leak onto the page's elements of the same classes.
    for own in ("own-button", "own-div"):
        assert css(browser, browser.find_element(By.ID, own), "background-color") != PINK
    # One global, whenever the async script ran.
    assert browser.execute_script("return window.addedByEmbed") == ["TroubleshooterEmbed"]
    # A button reached from the keyboard, named in the page's language; the frame loads on first opening.
    assert launcher.tag_name == "button" and launcher.get_attribute("aria-label") == "Messages troubleshooter"
    assert launcher.get_attribute("aria-expanded") == "false" and not root.find_elements(By.CSS_SELECTOR, "iframe")
    ActionChains(browser).send_keys(Keys.TAB).perform()
    assert browser.execute_script("return document.activeElement.shadowRoot.activeElement") == launcher

    launcher.click()
    assert launcher.get_attribute("aria-expanded") == "true"
    frame = root.find_element(By.CSS_SELECTOR, "iframe")
    assert (
        frame.is_displayed() and frame.rect["width"] >= 300 and frame.rect["height"] >= 400
    )  # `iframe {display:none}`
    browser.switch_to.frame(frame)
    assert browser.execute_script("return location.href") == sites["widget"] + "/?embed=1"
    wait = WebDriverWait(browser, 60)
    box = wait.until(EC.element_to_be_clickable((By.ID, "chat-input")))
    box.send_keys("my messages fail with a red exclamation mark\n")
    wait.until(lambda d: buttons(d) == ["Yes", "No", "Not sure"], f"no question came: {chat(browser)}")
    browser.execute_script("window.sameDocument = true")
    browser.switch_to.default_content()

    # Closed from the keyboard and opened again: the same frame, the same conversation, not reloaded.
    launcher.send_keys(Keys.ENTER)
    WebDriverWait(browser, 5).until(lambda d: not frame.is_displayed())
    assert launcher.get_attribute("aria-expanded") == "false"
    launcher.click()
    WebDriverWait(browser, 5).until(lambda d: frame.is_displayed())
    assert root.find_elements(By.CSS_SELECTOR, "iframe") == [frame]
    browser.switch_to.frame(frame)
    assert browser.execute_script("return window.sameDocument") is True
    assert buttons(browser) == ["Yes", "No", "Not sure"]


def test_a_help_centre_not_allowed_gets_no_conversation(sites, browser):
    browser.get(sites["other"] + "/")
    launcher = launcher_of(browser)
    launcher.click()
    frame = shadow(browser)[1].find_element(By.CSS_SELECTOR, "iframe")
    browser.switch_to.frame(frame)
    WebDriverWait(browser, 20).until(lambda d: d.execute_script("return document.readyState") == "complete")
    # The browser refused to render the widget page (frame-ancestors): not our page, no chat, for a while.
    assert browser.execute_script("return location.href") != sites["widget"] + "/?embed=1"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        assert not browser.find_elements(By.ID, "chat-input")
        time.sleep(0.5)
