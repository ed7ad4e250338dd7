"""A rolling restart with draining (scaleout/rolling.py) through the front's real nginx, before stand-in
replicas that can be stopped and started: under a steady stream of messages, some slow, every message
is answered 200 by exactly one replica once, a message in flight to a replica being drained gets its
answer before that replica stops, and a replica that does not come back stays out."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from harness.servers import free_port
from scaleout import front
from scaleout.rolling import Replica, RollingError, rolling_restart

if not shutil.which("nginx") and not os.access("/usr/sbin/nginx", os.X_OK):
    pytest.skip("nginx is not installed (make setup-test)", allow_module_level=True)

pytestmark = pytest.mark.timeout(120)


class Restartable:
    """A replica on a fixed port that answers each message with its name after `delay` seconds (the
    message's own "delay" field), and can be stopped and started again."""

    def __init__(self, name: str):
        self.name, self.port, self.seen, self.server = name, free_port(), [], None
        self.stopped_at: float | None = None
        self.active, self.in_flight_at_stop = 0, []  # messages being answered; how many when it stopped
        self.start()

    def start(self):
        seen, name, replica = self.seen, self.name, self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                replica.active += 1
                time.sleep(body.get("delay", 0))
                seen.append((body.get("message_id"), time.monotonic()))
                self._send({"server": name, "message_id": body.get("message_id")})
                replica.active -= 1

            def do_GET(self):
                self._send({"server": name})

            def _send(self, answer):
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        ThreadingHTTPServer.daemon_threads = True
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        """Stops listening (a real server would also drop what it has in flight: counted)."""
        self.in_flight_at_stop.append(self.active)
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
            self.stopped_at = time.monotonic()

    def ready(self) -> bool:
        try:
            return requests.get(f"http://127.0.0.1:{self.port}/", timeout=1).ok
        except requests.RequestException:
            return False


@pytest.fixture
def setup(tmp_path):
    replicas = [Restartable("a"), Restartable("b")]
    f = front.Front(
        free_port(),
        tuple(r.port for r in replicas),
        limits=front.Limits(rate=1000, burst=1000, turns_per_minute=60000, turn_burst=1000),
    )
    prefix = tmp_path / "front"
    front.start(f, prefix)
    yield f, prefix, replicas
    front.stop(prefix)
    for r in replicas:
        r.stop()


def stream(url: str, stop: threading.Event, answers: list, slow_every: int = 5):
    """Messages one after the other (every `slow_every`-th takes a second), until `stop`."""
    with requests.Session() as s:
        n = 0
        while not stop.is_set() and n < 2000:
            n += 1
            body = {"sender": "s", "message": "hi", "message_id": f"m{n}", "delay": 1.0 if n % slow_every == 0 else 0}
            try:
                r = s.post(f"{url}/webhooks/rest/webhook", json=body, timeout=30)
                answers.append((body["message_id"], r.status_code, r.json()))
            except requests.RequestException as exc:
                answers.append((body["message_id"], type(exc).__name__, None))


def test_a_rolling_restart_under_load_loses_and_doubles_nothing(setup):
    f, prefix, replicas = setup
    stop, answers, steps = threading.Event(), [], []
    clients = [threading.Thread(target=stream, args=(f.url, stop, answers)) for _ in range(3)]
    for c in clients:
        c.start()
    try:
        time.sleep(1)
        steps = rolling_restart(
            f,
            prefix,
            [Replica(r.port, r.stop, r.start, r.ready) for r in replicas],
            drain_seconds=30,
            ready_seconds=10,
        )
        time.sleep(1)
    finally:
        stop.set()
        for c in clients:
            c.join(60)
    assert [s["replica"] for s in steps] == [f"127.0.0.1:{r.port}" for r in replicas]
    assert all(s["drain_s"] < 5 for s in steps), steps
    assert len(answers) > 30 and all(status == 200 for _, status, _ in answers), [a for a in answers if a[1] != 200]
    # Three clients numbered their messages alike: each (client's) message reached one replica once.
    seen = [m for r in replicas for m, _ in r.seen]
    assert len(seen) == len(answers)
    # Nothing was in flight at a replica when it stopped: the drain waited for the slow messages.
    assert [r.in_flight_at_stop for r in replicas] == [[0], [0]]
    # Both replicas answered after being put back (the first while the second was drained).
    assert all(any(at > r.stopped_at for _, at in r.seen) for r in replicas)
    config = (prefix / "nginx.conf").read_text()
    assert " down;" not in config


def test_a_replica_that_does_not_come_back_stays_out(setup):
    f, prefix, replicas = setup
    dead = replicas[0]
    with pytest.raises(RollingError, match="was not ready again"):
        rolling_restart(f, prefix, [Replica(dead.port, dead.stop, lambda: None, dead.ready)], ready_seconds=2)
    assert f"server 127.0.0.1:{dead.port} max_fails=2 fail_timeout=10s down;" in (prefix / "nginx.conf").read_text()
    answers = [requests.post(f"{f.url}/webhooks/rest/webhook", json={"m": i}, timeout=10) for i in range(4)]
    assert [a.status_code for a in answers] == [200] * 4 and {a.json()["server"] for a in answers} == {"b"}


def test_upstreams_take_other_hosts_and_drained_replicas_are_marked_down(tmp_path):
    f = front.Front(8000, ("10.77.0.3:5005", "10.77.0.4:5005", 5007), draining=("10.77.0.4:5005",))
    text = front.config(f, tmp_path)
    assert "server 10.77.0.3:5005 max_fails=2 fail_timeout=10s;" in text
    assert "server 10.77.0.4:5005 max_fails=2 fail_timeout=10s down;" in text
    assert "server 127.0.0.1:5007 max_fails=2 fail_timeout=10s;" in text
    assert text.count(" down;") == 2  # in the REST upstream and the socket.io hash
    for bad in ("10.77.0.3", "host:0", "a b:80", ":80", "10.0.0.1:5005:1"):
        with pytest.raises(ValueError):
            front.Front(8000, (bad,))
    with pytest.raises(ValueError, match="only a replica can be drained"):
        front.Front(8000, (5005,), draining=(5006,))
    with pytest.raises(ValueError, match="nobody to answer"):
        front.Front(8000, (5005,), draining=(5005,))
