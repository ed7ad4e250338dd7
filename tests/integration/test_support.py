"""The test support itself: a server that does not come up in time is stopped,
so a failed start-up leaves nothing running and no port taken."""

import socket
from pathlib import Path

import pytest

from harness.servers import Assistant, free_port, pids


def test_a_start_up_timeout_leaves_nothing_running(tmp_path):
    a = Assistant(tmp_path, web=False)
    with pytest.raises(RuntimeError, match="not ready in 2 s"):
        a.start(timeout=2)  # the model alone takes longer to load
    assert a.proc is None
    assert pids(f"rasa run -m .* -p {a.rasa_port} ") == []
    assert pids(f"rasa run actions --actions actions --port {a.actions_port}") == []


def test_free_ports_are_free_and_blocks_are_consecutive():
    first = free_port(3)
    for port in (first, first + 1, first + 2):
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))


def test_the_rasa_server_process_is_found_by_its_port(assistant):
    """The bench reads the Rasa server's memory through this."""
    pid = assistant.rasa_pid()
    cmdline = Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
    assert "rasa run -m" in cmdline and f"-p {assistant.rasa_port} " in cmdline
