"""Real servers for integration tests (helpers; fixtures are in conftest.py), started by the project's own run script
on their own loopback ports, with a throw-away SQLite tracker store."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import requests
import yaml

from .chatwoot import API_TOKEN

ROOT = Path(__file__).resolve().parents[2]
RASA_PORT, ACTIONS_PORT, WEB_PORT = 5105, 5155, 8180
CHATWOOT_SECRET = "test-webhook-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def model_path() -> str:
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "model.py"), "path"], capture_output=True, text=True)
    path = out.stdout.strip()
    if not Path(path).exists():
        raise RuntimeError("no trained model: run `make train` (make test does)")
    return path


def endpoints_file(dest: Path, source: str = "endpoints.yml", actions_port: int = ACTIONS_PORT, **changes) -> Path:
    """The project's own endpoints file on test ports: the action server's port set,
    each named section (tracker_store, lock_store) updated."""
    config = yaml.safe_load((ROOT / source).read_text())
    config["action_endpoint"]["url"] = f"http://127.0.0.1:{actions_port}/webhook"
    for section, values in changes.items():
        config[section] = {**config.get(section, {}), **values}
    dest.write_text(yaml.safe_dump(config, sort_keys=False))
    return dest


class Assistant:
    """The project's servers started by its run script: action server, Rasa
    replica(s) and (unless web=False) the web page, on loopback test ports."""

    def __init__(self, workdir: Path, chatwoot_url: str = "", endpoints: Path | None = None,
                 rasa_port: int = RASA_PORT, actions_port: int = ACTIONS_PORT, replicas: int = 1, web: bool = True,
                 web_port: int = WEB_PORT):
        self.workdir = workdir
        self.endpoints = endpoints or endpoints_file(
            workdir / "endpoints.yml", actions_port=actions_port,
            tracker_store={"db": str(workdir / "tracker.db")})
        self.env = {**os.environ, "CHATWOOT_URL": chatwoot_url, "CHATWOOT_API_TOKEN": API_TOKEN,
                    "CHATWOOT_WEBHOOK_SECRET": CHATWOOT_SECRET}
        self.model = model_path()
        self.proc = None
        self.rasa_port, self.actions_port, self.replicas, self.web = rasa_port, actions_port, replicas, web
        self.url = f"http://127.0.0.1:{rasa_port}"
        self.web_port = web_port
        self.web_url = f"http://127.0.0.1:{web_port}/"

    def start(self, timeout: float = 300):
        log = open(self.workdir / "servers.log", "ab")
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "scripts" / "run.py"), "--model", self.model, "--endpoints", str(self.endpoints),
             "--rasa-port", str(self.rasa_port), "--actions-port", str(self.actions_port), "--web-port", str(self.web_port),
             "--replicas", str(self.replicas), *([] if self.web else ["--no-web"])],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        urls = [f"http://127.0.0.1:{self.rasa_port + i}/" for i in range(self.replicas)]
        urls += [f"http://127.0.0.1:{self.actions_port}/health"] + [self.web_url] * self.web
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("servers exited:\n" + (self.workdir / "servers.log").read_text()[-3000:])
            try:
                for url in urls:
                    urllib.request.urlopen(url, timeout=2)
                return
            except OSError:
                time.sleep(1)
        raise RuntimeError("servers not ready in time")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def rasa_pid(self) -> int | None:
        """The Rasa server process (for its resident memory)."""
        out = subprocess.run(["pgrep", "-f", f"rasa run -m .* -p {self.rasa_port}"], capture_output=True, text=True)
        pids = [int(p) for p in out.stdout.split()]
        return pids[0] if pids else None

    def say(self, sender: str, message, timeout: float = 60):
        r = requests.post(self.url + "/webhooks/rest/webhook", json={"sender": sender, "message": message},
                          timeout=timeout)
        r.raise_for_status()
        return r.json()
