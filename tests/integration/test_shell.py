"""`rasa shell` with the action server up (what `make shell` runs), driven by pexpect."""

import os
import signal
import sys

import pexpect

from harness.servers import endpoints_file, free_port, model_path, pids
from troubleshooter.paths import ROOT
from troubleshooter.vocabulary import PAYLOAD_KEY

GAP = r"(?:\x1b\[[0-9;]*m|\s)+"  # colour codes and line breaks between printed lines


def test_shell_runs_a_short_diagnosis(tmp_path):
    actions, rasa = free_port(), free_port()
    endpoints = endpoints_file(tmp_path / "endpoints.yml", actions, tracker_store={"db": str(tmp_path / "tracker.db")})
    action_server = f"rasa run actions --actions actions --port {actions}"
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "200", "LINES": "50"}
    child = pexpect.spawn(
        sys.executable,
        [
            str(ROOT / "scripts" / "run.py"),
            "--shell",
            "--model",
            model_path(),
            "--endpoints",
            str(endpoints),
            "--actions-port",
            str(actions),
            "--rasa-port",
            str(rasa),
        ],
        cwd=str(ROOT),
        env=env,
        encoding="utf-8",
        timeout=240,
    )
    with open(tmp_path / "shell.log", "w") as log:
        child.logfile_read = log
        try:
            child.expect("Bot loaded")
            before_prompt = child.before
            child.expect("Your input ->")
            before_prompt += child.before
            assert "warn" not in before_prompt.lower(), before_prompt[-2000:]  # the first prompt is not buried
            child.sendline("my messages fail with a red exclamation mark")
            # The question first, then its choices, numbered; no JSON dump.
            child.expect(rf"\?{GAP}1: Yes{GAP}2: No{GAP}3: Not sure")
            child.expect("Your input ->")
            assert "Custom json" not in child.before and PAYLOAD_KEY not in child.before
            # A typed number picks the choice: "2" is "No", and the next step follows.
            child.sendline("2")
            child.expect(rf"{GAP}1: (Yes|It worked){GAP}2: (No|Still not working)")
            child.expect("Your input ->")
            child.sendline("no")
            child.expect(r"1: (Yes|It worked)")
            child.expect("Your input ->")
            child.sendline("talk to a human")
            child.expect("hand you over")
            child.expect("Your input ->")
            child.sendline("/stop")
            child.expect(pexpect.EOF, timeout=60)
        finally:
            if child.isalive():
                child.terminate(force=True)
                for pid in pids(action_server):  # a failed test leaves nothing running
                    os.killpg(pid, signal.SIGKILL)
    assert pids(action_server) == [], "action server left behind"
