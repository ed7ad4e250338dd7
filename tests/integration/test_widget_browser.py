"""The web widget in Debian's headless Chromium, driven by selenium."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from harness.browser import chromium
from harness.servers import answers, free_port, start_page_server, wait_for
from troubleshooter.paths import ROOT
from troubleshooter.texts import texts_for

SCREENSHOT = ROOT / "test-output" / "widget.png"


def bot_texts(driver):
    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#chat-log .msg.bot")]


def test_widget_conversation_survives_reload(assistant, browser):
    wait = WebDriverWait(browser, 60)
    browser.get(assistant.web_url)
    box = wait.until(EC.element_to_be_clickable((By.ID, "chat-input")))
    box.send_keys("<b>my</b> messages fail with a red exclamation mark\n")
    # A question arrives with Yes / No / Not sure buttons.
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#chat-log .buttons button")) >= 3)
    titles = [b.text for b in browser.find_elements(By.CSS_SELECTOR, "#chat-log .buttons button")][-3:]
    assert titles == ["Yes", "No", "Not sure"]
    # The user's markup is shown as text, not rendered.
    user = browser.find_elements(By.CSS_SELECTOR, "#chat-log .msg.user")[0]
    assert user.text.startswith("<b>my</b>") and not browser.find_elements(By.CSS_SELECTOR, "#chat-log b")
    question = bot_texts(browser)[-1]
    before = len(bot_texts(browser))
    browser.find_elements(By.CSS_SELECTOR, "#chat-log .buttons button")[-2].click()  # "No"
    wait.until(lambda d: len(bot_texts(d)) > before)
    assert browser.find_elements(By.CSS_SELECTOR, "#chat-log .msg.user")[-1].text == "No"
    next_turn = bot_texts(browser)[-1]
    assert next_turn != question
    SCREENSHOT.parent.mkdir(exist_ok=True)
    browser.save_screenshot(str(SCREENSHOT))
    # Reload: the history is still there and the session continues.
    history = bot_texts(browser)
    browser.refresh()
    wait.until(lambda d: len(bot_texts(d)) >= len(history))
    assert bot_texts(browser)[: len(history)] == history
    status = browser.find_element(By.ID, "chat-status")
    wait.until(lambda d: not status.is_displayed())
    count = len(bot_texts(browser))
    browser.find_element(By.ID, "chat-input").send_keys("why do you think that?\n")
    wait.until(lambda d: len(bot_texts(d)) > count)
    assert any("most likely" in t for t in bot_texts(browser)[count:])


def test_widget_says_when_the_server_is_unreachable(browser):
    # The page served by the project's own web server, pointed at a port where nothing listens.
    port = free_port()
    page = f"http://127.0.0.1:{port}/"
    server = start_page_server(port, "--socket-url", f"http://127.0.0.1:{free_port()}")
    try:
        wait = WebDriverWait(browser, 30)
        wait_for(lambda: answers(page), 30, "the page server")
        browser.get(page)
        status = browser.find_element(By.ID, "chat-status")
        wait.until(lambda d: status.is_displayed() and "reach" in status.text.lower())
        browser.find_element(By.ID, "chat-input").send_keys("hello\n")
        assert browser.find_elements(By.CSS_SELECTOR, "#chat-log .msg.user")[-1].text == "hello"
    finally:
        server.kill()
        server.wait(timeout=10)


def test_a_spanish_browser_gets_a_spanish_conversation(assistant):
    """The widget's own words follow the browser's language, which goes with each message as a
    hint; the bot's replies are in the language the user writes in."""
    try:
        with chromium(language="es-ES") as browser:
            wait = WebDriverWait(browser, 60)
            browser.get(assistant.web_url)
            box = wait.until(EC.element_to_be_clickable((By.ID, "chat-input")))
            assert browser.execute_script("return navigator.language").startswith("es")
            assert box.get_attribute("placeholder") == "Describe el problema…"
            assert bot_texts(browser)[0].startswith("¡Hola!")
            box.send_keys("hola\n")  # one word: the browser's language decides
            wait.until(lambda d: len(bot_texts(d)) >= 2)
            assert "qué pasa" in bot_texts(browser)[-1].lower()
            box.send_keys("no me deja mandar mensajes, me sale un signo de exclamacion rojo\n")
            es = texts_for("es")
            question = [es("buttons.answer_yes"), es("buttons.answer_no"), es("buttons.answer_unsure")]
            fix = [es("buttons.fix_worked"), es("buttons.fix_failed"), es("buttons.why")]
            shown = lambda d: [b.text for b in d.find_elements(By.CSS_SELECTOR, "#chat-log .buttons button")][-3:]
            wait.until(lambda d: shown(d) in (question, fix))
            assert browser.find_element(By.ID, "chat-reset").text == es("widget.new_chat")
    except RuntimeError as exc:
        pytest.fail(str(exc))


def test_a_message_typed_while_connecting_is_sent_once_the_session_is_confirmed(assistant, browser):
    """Rasa drops a message that comes before the session is confirmed; the widget holds it back."""
    browser.get(assistant.web_url)
    wait = WebDriverWait(browser, 60)
    wait.until(lambda d: bot_texts(d))  # the widget's script runs
    browser.set_network_conditions(offline=False, latency=3000, throughput=10_000_000)  # slow handshake
    confirmed = "return !!(JSON.parse(localStorage.getItem('troubleshooter.chat')) || {}).session"
    for _ in range(3):  # on a busy machine the handshake may still win the race with the greeting: reload
        browser.execute_script("localStorage.clear()")
        browser.refresh()
        wait.until(lambda d: bot_texts(d))
        if not browser.execute_script(confirmed):
            break
    assert not browser.execute_script(confirmed), "the session was confirmed before anything could be typed"
    browser.find_element(By.ID, "chat-input").send_keys("hi\n")
    wait.until(lambda d: len(bot_texts(d)) >= 2)
    assert browser.execute_script("return JSON.parse(localStorage.getItem('troubleshooter.chat')).outbox.length") == 0
