"""scripts/run.py's start-up: the scaled set-up's own lock store (a custom class,
scaleout.lock_store.AtomicRedisLockStore) is asked through its own Redis client, an unreachable one
refuses start-up in one clear line; --production refuses to start without RASA_AUTH_TOKEN and puts
the HTTP API behind it (analytics closed without ANALYTICS_TOKEN). Every process started here is
stopped at the end, also when a test fails."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
import requests
import yaml

from harness.redis_server import RedisServer
from harness.servers import free_port, model_path
from troubleshooter.paths import ROOT

LOCK = "scaleout.lock_store.AtomicRedisLockStore"
STARTING = "Starting the action server and Rasa"
# run.py's own sitecustomize (on its PYTHONPATH only; run.py sets its servers' own): every process it starts is logged.
SPAWN_LOG = """import os, sys
def _logged(event, args, path=os.environ.get("RUN_PY_SPAWN_LOG")):
    if event == "subprocess.Popen" and path:
        with open(path, "a") as log:
            log.write(" ".join(map(str, args[1])) + "\\n")
sys.addaudithook(_logged)
"""


def scaled_endpoints(dest: Path, actions_port: int, redis_port: int) -> Path:
    """endpoints.scaled.yml on test ports: its own lock store (type, db) on `redis_port`, the Chatwoot
    delivery store on the same Redis, and an SQLite tracker store in place of PostgreSQL."""
    config = yaml.safe_load((ROOT / "endpoints.scaled.yml").read_text())
    assert config["lock_store"]["type"] == LOCK
    config["action_endpoint"]["url"] = f"http://127.0.0.1:{actions_port}/webhook"
    config["lock_store"]["port"] = redis_port
    config["chatwoot_deliveries"]["url"] = f"redis://127.0.0.1:{redis_port}/2"
    config["tracker_store"] = {"type": "SQL", "dialect": "sqlite", "db": str(dest.parent / "tracker.db")}
    dest.write_text(yaml.safe_dump(config, sort_keys=False))
    return dest


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (run.py starts each server in a session of its own)."""
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat.parent.name))
    return kids


def alive(pid: int) -> bool:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[0] != "Z"


class Run:
    """scripts/run.py in a session of its own on free ports, its output in files."""

    def __init__(
        self, tmp_path: Path, args: list[str], env: dict[str, str] | None = None, actions_port: int | None = None
    ):
        # one block of ports, so two separate picks can never return the same port to two servers
        first = free_port(3)
        while actions_port in (first, first + 1):  # a port the caller picked (not yet bound) is not ours
            first = free_port(3)
        self.rasa_port, self.web_port = first, first + 1
        self.actions_port = actions_port or first + 2
        self.out, self.err = tmp_path / "run.out", tmp_path / "run.err"
        base = {k: v for k, v in os.environ.items() if k not in ("RASA_AUTH_TOKEN", "ANALYTICS_TOKEN")}
        (tmp_path / "audit").mkdir(exist_ok=True)
        (tmp_path / "audit" / "sitecustomize.py").write_text(SPAWN_LOG)
        self.spawn_log = tmp_path / "spawned.log"
        base.update(
            PYTHONPATH=os.pathsep.join([str(tmp_path / "audit"), os.environ.get("PYTHONPATH", "")]),
            RUN_PY_SPAWN_LOG=str(self.spawn_log),
        )
        self.started = time.monotonic()
        with open(self.out, "wb") as out, open(self.err, "wb") as err:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    str(ROOT / "scripts" / "run.py"),
                    "--model",
                    model_path(),
                    *args,
                    "--rasa-port",
                    str(self.rasa_port),
                    "--actions-port",
                    str(self.actions_port),
                    "--web-port",
                    str(self.web_port),
                ],
                cwd=ROOT,
                env={**base, "PYTHONUNBUFFERED": "1", **(env or {})},
                stdout=out,
                stderr=err,
                start_new_session=True,
            )
        self.servers: set[int] = set()

    def output(self) -> str:
        return self.out.read_text(errors="replace") + self.err.read_text(errors="replace")

    def spawned(self) -> list[str]:
        """The command lines of the processes it started."""
        return self.spawn_log.read_text().splitlines() if self.spawn_log.exists() else []

    def stderr_lines(self) -> list[str]:
        return self.err.read_text(errors="replace").strip().splitlines()

    def wait_exit(self, timeout: float) -> int:
        """Its exit code; fails if it starts servers instead or is still running after `timeout` s."""
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None:
            self.servers.update(children(self.proc.pid))
            assert STARTING not in self.output(), "run.py started the servers:\n" + self.output()[-3000:]
            assert time.monotonic() < deadline, f"run.py still running after {timeout:.0f} s:\n" + self.output()[-3000:]
            time.sleep(0.1)
        return self.proc.returncode

    def wait_output(self, text: str, timeout: float) -> float:
        """Seconds until `text` is in its output; fails if it exits first or after `timeout` s."""
        deadline = time.monotonic() + timeout
        while text not in self.output():
            assert self.proc.poll() is None, f"run.py exited ({self.proc.returncode}):\n" + self.output()[-3000:]
            assert time.monotonic() < deadline, f"no {text!r} after {timeout:.0f} s:\n" + self.output()[-3000:]
            time.sleep(0.2)
        self.servers.update(children(self.proc.pid))
        return time.monotonic() - self.started

    def stop(self, timeout: float = 30) -> float:
        """SIGTERM as a user would; whatever is left after `timeout` s is killed. Returns the seconds taken."""
        began = time.monotonic()
        if self.proc.poll() is None:
            self.servers.update(children(self.proc.pid))
            self.proc.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=timeout)
        for pid in [self.proc.pid, *filter(alive, self.servers)]:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        return time.monotonic() - began


@pytest.fixture
def runs():
    started: list[Run] = []
    yield started
    for run in started:
        run.stop(timeout=5)


def test_unreachable_custom_lock_store_refuses_start_up_in_one_line(tmp_path, runs):
    nobody, actions = free_port(), free_port()
    endpoints = scaled_endpoints(tmp_path / "endpoints.yml", actions, nobody)
    runs.append(run := Run(tmp_path, ["--endpoints", str(endpoints)], actions_port=actions))
    assert run.wait_exit(60) != 0
    took = time.monotonic() - run.started
    last = run.stderr_lines()[-1]
    assert last.startswith(f"The lock store ({LOCK}) at 127.0.0.1:{nobody} is unreachable: "), last
    assert f"connecting to 127.0.0.1:{nobody}. Connection refused" in last  # the store's own client said so
    assert last.endswith(f"Not starting (conversations would be lost). Check {endpoints}."), last
    assert run.spawned() == [] and STARTING not in run.output()
    assert took < 30, took


def test_custom_lock_store_not_loadable_refuses_start_up(tmp_path, runs):
    with RedisServer() as server:
        endpoints = scaled_endpoints(tmp_path / "endpoints.yml", free_port(), server.port)
        config = yaml.safe_load(endpoints.read_text())
        config["lock_store"]["type"] = "scaleout.lock_store.NoSuchStore"
        endpoints.write_text(yaml.safe_dump(config))
        runs.append(run := Run(tmp_path, ["--endpoints", str(endpoints)]))
        assert run.wait_exit(60) != 0
    assert run.stderr_lines()[-1].startswith(
        f"The lock store (scaleout.lock_store.NoSuchStore) at 127.0.0.1:{server.port} is unreachable: "
        "Cannot retrieve class from path scaleout.lock_store.NoSuchStore. Not starting"
    )


def test_reachable_custom_lock_store_is_asked_through_its_own_client(tmp_path, runs):
    with RedisServer() as server:
        actions = free_port()
        endpoints = scaled_endpoints(tmp_path / "endpoints.yml", actions, server.port)
        runs.append(run := Run(tmp_path, ["--endpoints", str(endpoints), "--no-web"], actions_port=actions))
        took = run.wait_output(STARTING, 60)
        client = redis.Redis(host=server.host, port=server.port, socket_timeout=5)
        stats = client.info("commandstats")
        client.close()
        # The check read a key through the store's own client, on the store's db (1): SELECT 1, then GET.
        assert stats.get("cmdstat_get", {}).get("calls", 0) >= 1, stats
        assert stats.get("cmdstat_select", {}).get("calls", 0) >= 1, stats
        assert "unreachable" not in run.output()
        spawned = run.spawned()
        assert len(spawned) == 2 and "run actions" in spawned[0] and "rasa run -m" in spawned[1], spawned
        # Ctrl-C / SIGTERM while the servers are still starting stops them all, promptly.
        stopping = run.stop(timeout=30)
        assert run.proc.returncode == 0 and stopping < 10, (run.proc.returncode, stopping)
        assert not [pid for pid in run.servers if alive(pid)]
        print(f"\ncheck passed and servers started in {took:.1f} s; stopped in {stopping:.1f} s")


@pytest.mark.parametrize("token", [None, ""])
def test_production_without_rasa_auth_token_starts_nothing(tmp_path, runs, token):
    env = {} if token is None else {"RASA_AUTH_TOKEN": token}
    runs.append(run := Run(tmp_path, ["--production"], env=env))
    assert run.wait_exit(60) == 2
    assert run.stderr_lines() == ["--production needs RASA_AUTH_TOKEN in the environment"]
    assert run.spawned() == [] and run.out.read_text() == ""


def test_production_puts_the_http_api_behind_the_token_and_keeps_analytics_closed(tmp_path, runs):
    endpoints = tmp_path / "endpoints.yml"
    actions = free_port()
    endpoints.write_text(
        yaml.safe_dump(
            {
                "action_endpoint": {"url": f"http://127.0.0.1:{actions}/webhook", "enable_selective_domain": True},
                "tracker_store": {"type": "SQL", "dialect": "sqlite", "db": str(tmp_path / "tracker.db")},
            }
        )
    )
    runs.append(
        run := Run(
            tmp_path,
            ["--production", "--endpoints", str(endpoints)],
            env={"RASA_AUTH_TOKEN": "t0ken"},
            actions_port=actions,
        )
    )
    took = run.wait_output("Press Ctrl-C to stop.", 300)
    assert "Analytics:     off (set ANALYTICS_TOKEN to open them)" in run.output()
    api = f"http://127.0.0.1:{run.rasa_port}"
    assert requests.get(api + "/status", timeout=10).status_code == 401
    assert requests.get(api + "/status", params={"token": "wrong"}, timeout=10).status_code == 401
    assert requests.get(api + "/status", params={"token": "t0ken"}, timeout=10).status_code == 200
    # Users' channels are not behind the token.
    reply = requests.post(api + "/webhooks/rest/webhook", json={"sender": "prod", "message": "hi"}, timeout=60)
    assert reply.status_code == 200 and reply.json()
    web = f"http://127.0.0.1:{run.web_port}"
    assert requests.get(web + "/", timeout=10).status_code == 200
    closed = requests.get(web + "/analytics/summary.json", timeout=10)
    assert closed.status_code == 403 and "ANALYTICS_TOKEN" in closed.json()["error"]
    stopping = run.stop()
    assert run.proc.returncode == 0 and not [pid for pid in run.servers if alive(pid)]
    print(f"\nproduction ready in {took:.0f} s; stopped in {stopping:.1f} s")
