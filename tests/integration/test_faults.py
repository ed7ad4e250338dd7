"""Faults: the action server going away, a broken knowledge base, an
unreachable tracker store."""

import os
import shutil
import signal
import subprocess
import sys
import uuid

from harness.servers import answers, free_port, model_path, wait_for
from troubleshooter.paths import ROOT
from troubleshooter.vocabulary import payloads


def test_action_server_down_then_back(own_assistant):
    assistant = own_assistant
    sender = "fault-" + uuid.uuid4().hex[:8]
    first = payloads(assistant.say(sender, "my messages fail with a red exclamation mark"))[-1]
    killed = assistant.actions_pids()
    assert killed
    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    reply = assistant.say(sender, "no")
    assert "trouble" in reply[0]["text"].lower()
    # The supervisor starts a new action server; the conversation goes on where it was.
    wait_for(lambda: set(assistant.actions_pids()) - set(killed), 60, "a new action server process")
    health = f"http://127.0.0.1:{assistant.actions_port}/health"
    wait_for(lambda: answers(health), 120, "the new action server to answer")
    reply = assistant.say(sender, "why do you think that?")
    kinds = [p["type"] for p in payloads(reply)]
    assert kinds[0] == "diagnosis"
    assert payloads(reply)[-1].get("evidence") == first["evidence"]


def _start(args, env=None, timeout=120):
    ports = ["--rasa-port", str(free_port()), "--actions-port", str(free_port()), "--web-port", str(free_port())]
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "run.py"), "--model", model_path(), *ports, *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_broken_knowledge_base_refuses_to_start(tmp_path):
    kb = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", kb)
    (kb / "causes.yml").write_text((kb / "causes.yml").read_text().replace("prior: 0.04", "prior: 4.0", 1))
    out = _start([], env={"TROUBLESHOOTER_KB": str(kb)})
    assert out.returncode != 0
    assert "Invalid knowledge base, not starting: causes.yml: account_new: prior: 4.0 is out of range" in out.stderr
    (kb / "fixes.yml").unlink()
    out = _start([], env={"TROUBLESHOOTER_KB": str(kb)})
    assert out.returncode != 0 and "fixes.yml: -: -: file is missing" in out.stderr


def test_unreachable_tracker_store_is_a_clear_error(tmp_path):
    endpoints = tmp_path / "endpoints.yml"
    nobody = free_port()
    endpoints.write_text(
        'tracker_store:\n  type: SQL\n  dialect: "postgresql"\n  url: "127.0.0.1"\n'
        f'  port: {nobody}\n  username: "nobody"\n  password: "x"\n  db: "nothing"\n'
        '  login_db: "nothing"\n'
    )
    out = _start(["--endpoints", str(endpoints)], timeout=300)
    assert out.returncode != 0
    assert "tracker store" in out.stderr.lower() and str(nobody) in out.stderr
