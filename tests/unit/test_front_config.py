"""The front's nginx (scaleout/front.py) before stand-in servers: which requests it tries again on
another server, the per-client limit, the body limit, its own errors as JSON, and the messages when
it cannot start. No Rasa: each stand-in answers with its name, or takes a request and drops it."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from harness.servers import SourceAdapter, free_port
from scaleout import front

if not shutil.which("nginx") and not os.access("/usr/sbin/nginx", os.X_OK):
    pytest.skip("nginx is not installed (make setup-test)", allow_module_level=True)


class StandIn:
    """A replica that answers every request with its name and counts them by method and path."""

    def __init__(self, name: str):
        seen = self.seen = []

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                seen.append((self.command, self.path))
                body = json.dumps({"server": name}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Drops:
    """A replica that reads each request whole and closes the connection without answering (it died
    while processing): the request was sent, so a POST must not go to another replica."""

    def __init__(self):
        self.taken = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stopping = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(2)
                with contextlib.suppress(OSError):
                    head = conn.recv(65536)
                    if head:
                        self.taken.append(head.split(b" ", 1)[0].decode())

    def close(self):
        self.stopping.set()
        self.sock.close()


@pytest.fixture
def servers():
    made = []

    def make(kind, *args):
        made.append(kind(*args))
        return made[-1]

    yield make
    for server in made:
        server.close()


@pytest.fixture
def run_front(tmp_path):
    started = []

    def run(replicas, pages=None, **limits):
        f = front.Front(free_port(), tuple(replicas), pages, limits=front.Limits(**limits))
        front.start(f, tmp_path / "front")
        started.append(tmp_path / "front")
        return f.url

    yield run
    for prefix in started:
        front.stop(prefix)


def say(url, n, source="127.0.0.1"):
    """POST `n` user messages from `source`; their statuses and bodies."""
    out = []
    with requests.Session() as s:
        s.mount("http://", SourceAdapter(source))
        for i in range(n):
            r = s.post(f"{url}/webhooks/rest/webhook", json={"sender": "s", "message": f"m{i}"}, timeout=10)
            out.append((r.status_code, r.headers.get("Content-Type"), r.json()))
    return out


def test_a_refused_connection_is_tried_on_the_next_replica(servers, run_front):
    alive = servers(StandIn, "alive")
    url = run_front([free_port(), alive.port])  # nobody listens on the first
    answers = say(url, 6)
    assert [a[0] for a in answers] == [200] * 6
    assert [path for _, path in alive.seen] == ["/webhooks/rest/webhook"] * 6  # each message once


def test_a_message_the_replica_took_is_not_sent_again(servers, run_front):
    drops, alive = servers(Drops), servers(StandIn, "alive")
    url = run_front([drops.port, alive.port])
    answers = say(url, 6)
    failed = [a for a in answers if a[0] != 200]
    assert failed and all(a[0] == 502 and a[1] == "application/json" for a in failed)
    assert "trouble" in failed[0][2]["error"]
    # Every message reached one replica, once: those the dropping replica took answered 502.
    assert drops.taken.count("POST") == len(failed) and len(alive.seen) == 6 - len(failed)
    # A GET (idempotent) is tried on the other replica.
    assert requests.get(f"{url}/webhooks/rest/", timeout=10).status_code == 200


def test_no_replica_is_a_json_502(run_front):
    url = run_front([free_port(), free_port()])
    r = requests.post(f"{url}/webhooks/rest/webhook", json={"sender": "s", "message": "hi"}, timeout=10)
    assert (r.status_code, r.headers["Content-Type"]) == (502, "application/json")
    assert r.json() == {"error": "Sorry, I'm having trouble right now. Please try again in a moment."}


def test_a_flood_from_one_address_gets_429_and_others_are_served(servers, run_front):
    alive = servers(StandIn, "alive")
    url = run_front([alive.port], turns_per_minute=60, turn_burst=3, turn_delay=3)
    flood = say(url, 12, source="127.0.0.2")
    limited = [a for a in flood if a[0] == 429]
    assert len(limited) >= 12 - 3 - 2  # the burst, and what the rate lets through meanwhile
    assert {a[1] for a in limited} == {"application/json"} and "Too many requests" in limited[0][2]["error"]
    assert [a[0] for a in say(url, 3, source="127.0.0.1")] == [200] * 3
    assert len(alive.seen) == 12 - len(limited) + 3


def test_a_body_over_the_limit_is_refused_at_the_door(servers, run_front):
    alive = servers(StandIn, "alive")
    url = run_front([alive.port])
    at_limit = b'{"pad": "' + b"x" * (front.BODY_BYTES - 11) + b'"}'
    assert len(at_limit) == front.BODY_BYTES
    post = lambda body: requests.post(
        f"{url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}, timeout=10
    )
    assert post(at_limit).status_code == 200
    r = post(at_limit + b" ")
    assert (r.status_code, r.headers["Content-Type"]) == (413, "application/json")
    assert "too long" in r.json()["error"] and len(alive.seen) == 1


def test_the_http_api_is_not_behind_the_front(servers, run_front):
    replica, pages = servers(StandIn, "replica"), servers(StandIn, "pages")
    url = run_front([replica.port], pages=pages.port)
    for path in ("/", "/conversations/x/tracker", "/model/parse", "/analytics/"):
        assert requests.get(url + path, timeout=10).json() == {"server": "pages"}
    assert requests.get(url + "/socket.io/?EIO=4&transport=polling", timeout=10).json() == {"server": "replica"}
    assert requests.get(url + "/webhooks/chatwoot/", timeout=10).json() == {"server": "replica"}


def test_the_body_limit_takes_the_longest_message_the_channels_accept():
    from channels.validation import MAX_MESSAGE_CHARS

    assert front.MAX_MESSAGE_CHARS == MAX_MESSAGE_CHARS
    longest = json.dumps({"sender": "x" * 128, "message": "\U0001f629" * MAX_MESSAGE_CHARS, "metadata": {}})
    assert 2 * len(longest.encode()) < front.BODY_BYTES


def test_a_taken_port_is_named(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        with pytest.raises(front.FrontError, match=f"127.0.0.1:{port} is taken"):
            front.start(front.Front(port, (free_port(),)), tmp_path)


def test_missing_nginx_is_named(monkeypatch, tmp_path):
    monkeypatch.setattr(front.shutil, "which", lambda name: None)
    monkeypatch.setattr(front.os, "access", lambda path, mode: False)
    with pytest.raises(front.FrontError, match="nginx is not installed"):
        front.start(front.Front(free_port(), (free_port(),)), tmp_path)
