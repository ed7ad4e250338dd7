"""Real servers for tests and the bench (fixtures are in tests/integration/conftest.py), started by the
project's own run script on free loopback ports, with a throw-away SQLite tracker store; a server that
fails to start is stopped before the error is raised, so nothing is left running."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
import yaml

from troubleshooter.paths import ROOT

from .chatwoot import API_TOKEN

CHATWOOT_SECRET = "test-webhook-secret"


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def free_port(block: int = 1) -> int:
    """A loopback port nobody listens on (the first of `block` consecutive free ones)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port + block <= 65535 and all(_bindable(port + i) for i in range(1, block)):
            return port
    raise RuntimeError(f"no {block} consecutive free loopback ports")


def free_port_besides(taken: set[int], block: int = 1) -> int:
    """The first of `block` free ports, none of them in `taken` (picked but not bound yet, so
    free_port could return them)."""
    for _ in range(50):
        port = free_port(block)
        if taken.isdisjoint(range(port, port + block)):
            return port
    raise RuntimeError("no free loopback port besides those already picked")


def model_path() -> str:
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "model.py"), "path"], capture_output=True, text=True)
    path = out.stdout.strip()
    if not Path(path).exists():
        raise RuntimeError("no trained model: run `make train` (make test does)")
    return path


def endpoints_file(dest: Path, actions_port: int, source: str = "endpoints.yml", **changes) -> Path:
    """The project's own endpoints file on test ports: the action server's port set,
    each named section (tracker_store, lock_store) updated."""
    config = yaml.safe_load((ROOT / source).read_text())
    config["action_endpoint"]["url"] = f"http://127.0.0.1:{actions_port}/webhook"
    for section, values in changes.items():
        config[section] = {**config.get(section, {}), **values}
    dest.write_text(yaml.safe_dump(config, sort_keys=False))
    return dest


def start_page_server(port: int, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """The project's page server alone (scripts/serve_web.py: the widget page and /analytics) on `port`,
    with serve_web.py's other options in `args`; the caller stops it."""
    return subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "serve_web.py"), "--port", str(port), *args], cwd=ROOT, env=env
    )


class Assistant:
    """The project's servers started by its run script: action server, Rasa
    replica(s) and (unless web=False) the web page, on loopback test ports;
    with front=True, nginx in front of them all (`front_url`) and
    `action_servers` action servers behind it."""

    def __init__(
        self,
        workdir: Path,
        chatwoot_url: str = "",
        endpoints: Path | None = None,
        actions_port: int | None = None,
        replicas: int = 1,
        web: bool = True,
        tracker_db: Path | None = None,
        front: bool = False,
        action_servers: int = 1,
        help_centre: bool = False,
        avoid: frozenset[int] = frozenset(),
    ):
        """`endpoints` given: its action_endpoint's port must be `actions_port`; otherwise the
        project's endpoints with an SQLite tracker store at `tracker_db` (default: in workdir).
        With a front, the action servers take the `action_servers` ports after `actions_port`
        (the caller's `actions_port` must start a free block of 1 + action_servers).
        With help_centre=True, a loopback port is kept for a page of another origin (`help_centre_origin`)
        that the web page lets frame the widget (EMBED_ORIGINS, web/embed.js); the caller serves it.
        `avoid`: ports the caller keeps for something else (none of the servers is started on them)."""
        self.workdir = workdir
        # every port picked so far (a caller's actions_port is picked, not bound): each next pick keeps clear
        taken = set(avoid) | (set(range(actions_port, actions_port + 1 + action_servers)) if actions_port else set())
        rasa_port = free_port_besides(taken, replicas)
        taken |= set(range(rasa_port, rasa_port + replicas))
        web_port = free_port_besides(taken)
        taken.add(web_port)
        actions_port = actions_port or free_port_besides(taken, 1 + action_servers * front)
        taken |= set(range(actions_port, actions_port + 1 + action_servers))
        self.endpoints = endpoints or endpoints_file(
            workdir / "endpoints.yml", actions_port, tracker_store={"db": str(tracker_db or workdir / "tracker.db")}
        )
        self.env = {
            **os.environ,
            "CHATWOOT_URL": chatwoot_url,
            "CHATWOOT_API_TOKEN": API_TOKEN,
            "CHATWOOT_WEBHOOK_SECRET": CHATWOOT_SECRET,
        }
        self.model = model_path()
        self.proc = None
        self.rasa_port, self.actions_port, self.replicas, self.web = rasa_port, actions_port, replicas, web
        self.url = f"http://127.0.0.1:{rasa_port}"
        self.web_port = web_port
        self.web_url = f"http://127.0.0.1:{web_port}/"
        self.front_port = free_port_besides(taken) if front else None
        self.front_url = f"http://127.0.0.1:{self.front_port}" if front else None
        self.front_dir = workdir / "front"  # nginx's config, pid and logs
        self.action_ports = [actions_port + 1 + i for i in range(action_servers)] if front else [actions_port]
        taken |= {self.front_port} if front else set()
        self.help_centre_port = free_port_besides(taken) if help_centre else None
        self.help_centre_origin = f"http://127.0.0.1:{self.help_centre_port}" if help_centre else None
        if help_centre:
            self.env["EMBED_ORIGINS"] = self.help_centre_origin
        taken |= {self.help_centre_port} if help_centre else set()
        self.ports = taken - avoid  # every port it has picked

    def start(self, timeout: float = 300):
        """Start and wait until every server answers; on any failure stop them all, then raise."""
        try:
            self._start(timeout)
        except BaseException:
            self.stop()
            raise

    def _start(self, timeout: float):
        with open(self.workdir / "servers.log", "ab") as log:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    str(ROOT / "scripts" / "run.py"),
                    "--model",
                    self.model,
                    "--endpoints",
                    str(self.endpoints),
                    "--rasa-port",
                    str(self.rasa_port),
                    "--actions-port",
                    str(self.actions_port),
                    "--web-port",
                    str(self.web_port),
                    "--replicas",
                    str(self.replicas),
                    *([] if self.web else ["--no-web"]),
                    *(
                        ["--front", str(self.front_port), "--front-dir", str(self.front_dir)]
                        + ["--action-servers", str(len(self.action_ports))]
                        if self.front_port
                        else []
                    ),
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        urls = [f"http://127.0.0.1:{self.rasa_port + i}/" for i in range(self.replicas)]
        urls += [f"http://127.0.0.1:{p}/health" for p in self.action_ports] + [self.web_url] * self.web
        urls += [f"{self.front_url}/webhooks/rest/"] * bool(self.front_url)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("servers exited:\n" + (self.workdir / "servers.log").read_text()[-3000:])
            if all(answers(url) for url in urls):
                return
            time.sleep(1)
        raise RuntimeError(
            f"servers not ready in {timeout:.0f} s:\n" + (self.workdir / "servers.log").read_text()[-3000:]
        )

    def stop(self):
        """Stop the run script (it stops its servers); whatever is left of its process group is killed."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=30)
        # The run script starts each server in a session of its own: anything it left is found by its port.
        left = [f"rasa run -m .* -p {self.rasa_port + i} " for i in range(self.replicas)]
        left += [f"rasa run actions --actions actions --port {p}( |$)" for p in self.action_ports]
        left += [f"serve_web.py --port {self.web_port} "]
        if self.front_port:
            left.append(f"-c {self.front_dir}/nginx.conf")
        for pid in [self.proc.pid] + [p for pattern in left for p in pids(pattern)]:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
        self.proc.wait()
        self.proc = None

    def actions_pids(self) -> list[int]:
        """The action server's processes (to kill it in fault tests)."""
        return [p for port in self.action_ports for p in pids(f"rasa run actions --actions actions --port {port}( |$)")]

    def replica_pid(self, i: int) -> int | None:
        """The process of replica `i` (0: on `rasa_port`), to kill it."""
        found = pids(f"rasa run -m .* -p {self.rasa_port + i} ")
        return found[0] if found else None

    def rasa_pid(self) -> int | None:
        """The Rasa server process (for its resident memory)."""
        found = pids(f"rasa run -m .* -p {self.rasa_port} ")
        return found[0] if found else None

    def say(self, sender: str, message, timeout: float = 60):
        r = requests.post(
            self.url + "/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=timeout
        )
        r.raise_for_status()
        return r.json()


def answers(url: str) -> bool:
    """Whether a server answers `url` with a success now."""
    try:
        return requests.get(url, timeout=2).ok
    except requests.RequestException:
        return False


def pids(pattern: str) -> list[int]:
    out = subprocess.run(["pgrep", "-f", "--", pattern], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def wait_for(condition, timeout: float, what: str, every: float = 0.2):
    """Poll `condition` until it returns something truthy (returned), or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


class SourceAdapter(requests.adapters.HTTPAdapter):
    """Connections from one loopback address: the front tells clients apart by it."""

    def __init__(self, source: str):
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, source_address=(self.source, 0), **kwargs)
