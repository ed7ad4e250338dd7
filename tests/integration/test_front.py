"""One address in front of the scaled set-up (scaleout/front.py, `make run-scaled`): nginx before three
Rasa replicas on PostgreSQL + Redis, two action servers and the page server, all started by the run
script. Everything a user, the widget or Chatwoot does goes through the front's one port: a REST and a
socket.io conversation, a Chatwoot message, the page and the analytics, nginx's own errors as JSON, a
flood from one client address answered 429 while other users keep their latency, a killed replica left
out with no message answered twice. The front's access log names the server that answered each request.
"""

from __future__ import annotations

import json
import os
import random
import signal
import threading
import time
import uuid

import pytest
import requests
import socketio

from harness.chatwoot import FakeChatwoot
from harness.flood import flood_rounds
from harness.servers import CHATWOOT_SECRET, Assistant, SourceAdapter, endpoints_file, free_port, wait_for
from scaleout.front import BODY_BYTES

REPLICAS, ACTION_SERVERS = 3, 2
PROBLEM = "my messages fail with a red exclamation mark"
USERS = ["127.0.0.1", *(f"127.0.0.{i}" for i in range(3, 14))]  # other people, each from an address of their own
FLOODER = "127.0.0.2"
TURNS, THINK = 8, 2.5  # per user and round: a message every 2.5 s, a quick typist (the limit: one in 2 s)


@pytest.fixture(scope="module")
def scaled(tmp_path_factory, services):
    """The replicas, action servers and page server behind the front, and the fake Chatwoot they answer."""
    workdir = tmp_path_factory.mktemp("front")
    chatwoot = FakeChatwoot(CHATWOOT_SECRET)
    db = f"rasa_{uuid.uuid4().hex[:8]}"
    actions = free_port(1 + ACTION_SERVERS)  # the front's action listener, then the action servers
    endpoints = endpoints_file(
        workdir / "endpoints.yml",
        actions,
        "endpoints.scaled.yml",
        tracker_store={"port": services["pg"], "db": db, "login_db": "rasa"},
        lock_store={"port": services["redis"], "key_prefix": db.replace("_", "")},
        chatwoot_deliveries={"url": f"redis://127.0.0.1:{services['redis']}/2"},
    )
    assistant = Assistant(
        workdir,
        chatwoot.url,
        endpoints=endpoints,
        actions_port=actions,
        replicas=REPLICAS,
        front=True,
        action_servers=ACTION_SERVERS,
    )
    chatwoot.bot_url = assistant.front_url + "/webhooks/chatwoot/webhook"
    try:
        assistant.start()
        yield assistant, chatwoot
    finally:
        assistant.stop()
        chatwoot.close()


def client(source: str = "127.0.0.1") -> requests.Session:
    session = requests.Session()
    session.mount("http://", SourceAdapter(source))
    return session


def say(session, front, sender, text):
    r = session.post(f"{front}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60)
    return r.status_code, r.json()


def access_log(assistant, name="access.log") -> list[str]:
    return (assistant.front_dir / "logs" / name).read_text().splitlines()


def upstreams(lines, request) -> list[str]:
    """The servers named for each logged `request` ("A, B" when the first did not take it)."""
    return [
        line.split("upstream=")[1].split(" upstream_status=")[0] for line in lines if f'"{request} HTTP/1.1"' in line
    ]


def test_a_rest_conversation_goes_through_the_front(scaled):
    assistant, _ = scaled
    with client() as s:
        status, replies = say(s, assistant.front_url, "rest-" + uuid.uuid4().hex[:8], PROBLEM)
    assert status == 200
    buttons = [b["title"] for m in replies for b in m.get("buttons", [])]
    assert buttons == ["Yes", "No", "Not sure"], replies
    # The action calls went through the front's action listener, to the action servers.
    called = upstreams(access_log(assistant, "actions.log"), "POST /webhook")
    assert called and set(called) <= {f"127.0.0.1:{p}" for p in assistant.action_ports}


def test_the_replicas_and_action_servers_share_the_turns(scaled):
    assistant, _ = scaled
    with client("127.0.0.20") as s:
        for i in range(6):
            assert say(s, assistant.front_url, f"share-{i}-{uuid.uuid4().hex[:6]}", PROBLEM)[0] == 200
            time.sleep(0.5)  # one person's pace: no turn waits for the limit
    replicas = set(upstreams(access_log(assistant), "POST /webhooks/rest/webhook"))
    assert len(replicas) >= 2, replicas
    assert len(set(upstreams(access_log(assistant, "actions.log"), "POST /webhook"))) == ACTION_SERVERS


def test_the_widget_page_and_analytics_come_from_the_front(scaled):
    assistant, _ = scaled
    page = requests.get(assistant.front_url + "/", timeout=10)
    assert page.status_code == 200 and "chat-form" in page.text
    config = requests.get(assistant.front_url + "/config.js", timeout=10).text
    assert "window.location.origin" in config  # the widget's socket.io is the page's own address
    assert requests.get(assistant.front_url + "/analytics/", timeout=30).status_code == 200
    # Rasa's HTTP API is not behind the front: the page server answers 404 for it.
    assert (
        requests.get(assistant.front_url + f"/conversations/{uuid.uuid4().hex}/tracker", timeout=10).status_code == 404
    )


@pytest.mark.parametrize("transports", [["polling", "websocket"], ["polling"]], ids=["websocket", "long-polling"])
def test_a_socketio_conversation_goes_through_the_front(scaled, transports):
    """The widget's way: websocket after the handshake; long-polling alone needs every request of
    the session at the same replica (the front hashes the client address)."""
    assistant, _ = scaled
    sio = socketio.Client(reconnection=False)
    received, confirmed = [], []
    sio.on("bot_uttered", received.append)
    sio.on("session_confirm", confirmed.append)
    # Polling carries the page's Origin as a browser would; websocket-client sends the front's own.
    headers = {"Origin": assistant.front_url} if transports == ["polling"] else {}
    sio.connect(
        assistant.front_url, socketio_path="/socket.io", transports=transports, headers=headers, wait_timeout=20
    )
    try:
        sio.emit("session_request", {"session_id": uuid.uuid4().hex})
        session = wait_for(lambda: confirmed and confirmed[0], 20, "session_confirm")
        sio.emit("user_uttered", {"message": PROBLEM, "session_id": session})
        asked = lambda: [[r["title"] for r in m["quick_replies"]] for m in received if m.get("quick_replies")]
        assert wait_for(asked, 60, "a question with buttons") == [["Yes", "No", "Not sure"]]
        sio.emit("user_uttered", {"message": "no", "session_id": session})
        wait_for(lambda: len(asked()) >= 2, 60, "the next question")
        assert sio.transport() == transports[-1]
    finally:
        sio.disconnect()


def test_the_widget_in_a_browser_talks_to_the_front(scaled):
    """The page from the front connects its socket.io to the front (its own origin) and converses."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    from harness.browser import chromium

    assistant, _ = scaled
    buttons = (By.CSS_SELECTOR, "#chat-log .buttons button")
    before = len(access_log(assistant))
    with chromium() as browser:
        wait = WebDriverWait(browser, 60)
        browser.get(assistant.front_url + "/")
        wait.until(EC.element_to_be_clickable((By.ID, "chat-input"))).send_keys(PROBLEM + "\n")
        wait.until(lambda d: len(d.find_elements(*buttons)) >= 3)
        assert [b.text for b in browser.find_elements(*buttons)][-3:] == ["Yes", "No", "Not sure"]
        assert browser.execute_script("return window.TROUBLESHOOTER_SOCKET_URL") == assistant.front_url
    # Its socket.io went through the front, upgraded to a websocket.
    assert any('"GET /socket.io/?' in line and '" 101 ' in line for line in access_log(assistant)[before:])


def test_a_chatwoot_message_reaches_a_replica_through_the_front(scaled):
    assistant, chatwoot = scaled
    assert chatwoot.bot_url.startswith(assistant.front_url)
    assert chatwoot.contact_says(901, PROBLEM) == [200]
    question = chatwoot.last_select(901)
    assert [i["title"] for i in question["content_attributes"]["items"]] == ["Yes", "No", "Not sure"]
    assert upstreams(access_log(assistant), "POST /webhooks/chatwoot/webhook")[-1] != "-"


def test_an_oversized_body_is_refused_at_the_door_as_json(scaled):
    assistant, _ = scaled
    body = json.dumps({"sender": "big", "message": "x" * BODY_BYTES})
    r = requests.post(
        assistant.front_url + "/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert (r.status_code, r.headers["Content-Type"]) == (413, "application/json")
    assert "too long" in r.json()["error"]
    # A long message under the door's limit reaches the channel, which explains it in the bot's words.
    with client("127.0.0.21") as s:
        status, answer = say(s, assistant.front_url, "long", "x" * 5000)
    assert status == 400 and "too long" in answer["error"]


# ----- a flood from one address -----------------------------------------------------------------------
def users_round(front: str) -> list[float]:
    """Each user, from an address of their own, has a conversation of TURNS turns, starting a little after
    the one before and pausing THINK seconds give or take a quarter (people do not type in step): the
    latencies of their turns."""
    latencies, failures = [], []

    def user(n, source):
        pauses = random.Random(n)
        time.sleep(n * THINK / len(USERS))
        with client(source) as s:
            sender = f"user-{uuid.uuid4().hex[:8]}"
            for i in range(TURNS):
                started = time.perf_counter()
                status, _ = say(s, front, sender, PROBLEM if i == 0 else "no")
                latencies.append(time.perf_counter() - started)
                if status != 200:
                    failures.append(status)
                time.sleep(THINK * pauses.uniform(0.75, 1.25))

    threads = [threading.Thread(target=user, args=pair) for pair in enumerate(USERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TURNS * (THINK + 60))
    assert not failures, failures
    return latencies


def test_a_flood_from_one_address_gets_429_while_others_are_served(scaled, capsys):
    """Rounds without and with a flood in the order quiet, flood, flood, quiet (harness/flood.py): a
    drift of the machine's own load (other work on it) weighs on both alike. The flood's allowance (30
    turns a minute) still reaches the replicas, as one more quick user would: about +8% at p95 over many
    runs here, while one run's p95 varies by about 10%. Each round's p95 is taken and their medians
    compared; a run over the bound is followed by a second, and both are judged."""
    assistant, _ = scaled
    result = flood_rounds(
        lambda: users_round(assistant.front_url),
        "127.0.0.1",
        assistant.front_port,
        FLOODER,
        seconds=TURNS * (THINK + 5),
    )
    figures = result.figures()
    with capsys.disabled():
        print(f"\nfront under a flood from {FLOODER}: {figures}")
    assert not result.faults(), (result.faults(), figures)


# ----- a replica dies: last, as the run script then restarts it ---------------------------------------
def test_a_killed_replica_is_left_out_and_no_message_is_answered_twice(scaled):
    assistant, _ = scaled
    victim = REPLICAS - 1
    dead = f"127.0.0.1:{assistant.rasa_port + victim}"
    os.killpg(assistant.replica_pid(victim), signal.SIGKILL)
    wait_for(lambda: not requests_reach(dead), 10, "the replica to stop answering")
    before = len(access_log(assistant))
    senders = [(f"127.0.0.{30 + i}", f"after-kill-{i}-{uuid.uuid4().hex[:6]}") for i in range(4)]
    said: dict[str, list] = {sender: [] for _, sender in senders}

    def converse(source, sender):
        with client(source) as s:
            for text in [PROBLEM, "no", "no", "no"]:
                status, replies = say(s, assistant.front_url, sender, text)
                said[sender].append((text, status, replies))
                time.sleep(THINK)

    threads = [threading.Thread(target=converse, args=pair) for pair in senders]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert all(status == 200 and replies for turns in said.values() for _, status, replies in turns), said
    # The dead replica was tried (the message then sent to another) until it was left out (max_fails).
    tried = upstreams(access_log(assistant)[before:], "POST /webhooks/rest/webhook")
    assert any(u.startswith(f"{dead}, ") for u in tried), tried
    assert sum(dead in u for u in tried) <= 4 < len(tried), tried
    # Every message processed once: the tracker holds each user message and the bot's replies once.
    alive = f"http://127.0.0.1:{assistant.rasa_port}"
    for sender, turns in said.items():
        events = requests.get(f"{alive}/conversations/{sender}/tracker", timeout=30).json()["events"]
        assert [e["text"] for e in events if e["event"] == "user"] == [text for text, _, _ in turns]
        bot = [e.get("text") for e in events if e["event"] == "bot"]
        assert bot == [m.get("text") for _, _, replies in turns for m in replies], sender


def requests_reach(address: str) -> bool:
    try:
        requests.get(f"http://{address}/", timeout=2)
        return True
    except requests.RequestException:
        return False
