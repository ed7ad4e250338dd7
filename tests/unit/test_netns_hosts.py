"""Test hosts as network namespaces (harness/hosts.py): each has its own address and reaches the others,
a cut host is unreachable (connections time out, as with a pulled cable) until restored, and nothing
is left behind: not by a run that ends, nor by one that died (removed by the next)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest

from harness import hosts
from harness.hosts import Network, unavailable

REASON = unavailable()
pytestmark = [pytest.mark.skipif(bool(REASON), reason=f"no network namespaces here: {REASON}"), pytest.mark.timeout(60)]

LISTEN = "import socket, sys, time; s = socket.socket(); s.bind((sys.argv[1], 8111)); s.listen(); time.sleep(60)"


def ours(run_id: str) -> list[str]:
    return [n for n in hosts._namespaces() + hosts._links() if n.startswith(hosts.PREFIX + run_id)]


def test_hosts_reach_each_other_until_one_is_cut_and_leave_nothing_behind():
    with Network(["a", "b"]) as net:
        a, b = net["a"], net["b"]
        assert a.address != b.address and net.subnet.overlaps(hosts.SUBNETS)
        server = a.popen([sys.executable, "-c", LISTEN, a.address], stdout=subprocess.DEVNULL)
        connect = [sys.executable, "-c", f"import socket; socket.create_connection(('{a.address}', 8111), 2)"]
        deadline = time.monotonic() + 10
        while not net.reachable(a.address, 8111) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert net.reachable(a.address, 8111)  # from the root namespace
        assert b.run(connect, timeout=10).returncode == 0  # from another host
        assert server.pid in a.pids() and not b.pids()
        (client,) = net.client_addresses(1)
        with socket.socket() as s:
            s.bind((client, 0))
            s.settimeout(2)
            s.connect((a.address, 8111))  # a client of its own address
        a.cut()
        assert a.is_cut
        started = time.monotonic()
        assert not net.reachable(a.address, 8111, timeout=1)
        assert time.monotonic() - started > 0.9  # not refused: nothing answers
        a.restore()
        assert not a.is_cut and net.reachable(a.address, 8111, timeout=2)
        run_id = net.run_id
        assert len(ours(run_id)) >= 5  # the bridge, two namespaces, their veth ends
    assert ours(run_id) == [] and server.wait(timeout=10) is not None


def test_what_a_dead_run_left_is_removed_by_the_next(monkeypatch):
    dead = subprocess.Popen(["true"])
    dead.wait()
    monkeypatch.setattr(hosts.os, "getpid", lambda: dead.pid)  # a run whose process is gone
    net = Network(["x"])
    net.make()  # and never torn down
    sleeper = net["x"].popen(["sleep", "60"])
    monkeypatch.undo()
    assert ours(net.run_id)
    removed = hosts.remove_leftovers()
    assert f"{hosts.PREFIX}{net.run_id}-x" in removed and ours(net.run_id) == []
    assert sleeper.wait(timeout=10) is not None  # what ran in it was stopped
