"""Faults: the action server going away, a broken knowledge base, an
unreachable tracker store."""
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from tests.support.rest_users import payloads
from tests.support.servers import ACTIONS_PORT, ROOT, model_path


def actions_pid():
    out = subprocess.run(["pgrep", "-f", f"rasa run actions --actions actions --port {ACTIONS_PORT}"],
                         capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def test_action_server_down_then_back(assistant):
    sender = "fault-" + uuid.uuid4().hex[:8]
    first = payloads(assistant.say(sender, "my messages fail with a red exclamation mark"))[-1]
    for pid in actions_pid():
        os.kill(pid, signal.SIGKILL)
    reply = assistant.say(sender, "no")
    assert "trouble" in reply[0]["text"].lower()
    # The supervisor restarts the action server; the conversation recovers.
    deadline = time.time() + 120
    while time.time() < deadline:
        reply = assistant.say(sender, "why do you think that?")
        if payloads(reply):
            break
        time.sleep(2)
    kinds = [p["type"] for p in payloads(reply)]
    assert kinds[0] == "diagnosis"
    assert payloads(reply)[-1].get("evidence") == first["evidence"]


def _start(args, env=None, timeout=120):
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "run.py"), "--model", model_path(), *args],
                          cwd=ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=timeout)


def test_broken_knowledge_base_refuses_to_start(tmp_path):
    kb = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", kb)
    (kb / "causes.yml").write_text((kb / "causes.yml").read_text().replace("prior: 0.04", "prior: 4.0", 1))
    out = _start(["--rasa-port", "5405", "--actions-port", "5455", "--web-port", "8480"],
                 env={"TROUBLESHOOTER_KB": str(kb)})
    assert out.returncode != 0
    assert "Invalid knowledge base, not starting: causes.yml: account_new: prior: 4.0 is out of range" in out.stderr
    (kb / "fixes.yml").unlink()
    out = _start([], env={"TROUBLESHOOTER_KB": str(kb)})
    assert out.returncode != 0 and "fixes.yml: -: -: file is missing" in out.stderr


def test_unreachable_tracker_store_is_a_clear_error(tmp_path):
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text('tracker_store:\n  type: SQL\n  dialect: "postgresql"\n  url: "127.0.0.1"\n  port: 5999\n'
                         '  username: "nobody"\n  password: "x"\n  db: "nothing"\n  login_db: "nothing"\n')
    out = _start(["--endpoints", str(endpoints), "--rasa-port", "5405", "--actions-port", "5455", "--web-port", "8480"],
                 timeout=300)
    assert out.returncode != 0
    assert "tracker store" in out.stderr.lower() and "5999" in out.stderr
