"""Test hosts on one machine: Linux network namespaces, each with an address of its own on a bridge.

    with Network(["db", "app1", "app2", "lb"]) as net:    # always torn down, also when the body raises
        net["db"].popen(["redis-server", "--bind", net["db"].address, ...])
        net["app1"].cut()                                    # link down: its packets are dropped
        net["app1"].restore()

Each host is a namespace `tsh<run>-<role>` with a veth pair whose other end is a port of the bridge
`tsh<run>b` in the root namespace; the root namespace (the machine the test runs in: its clients) has
the bridge's address 10.77.N.1, the hosts 10.77.N.2, .3, ... and clients may take more addresses on
the bridge (`client_addresses`). N is a /24 no interface of the machine uses yet, picked under a file
lock, so runs in parallel never share names or addresses. Hosts have no default route: they reach
each other and the root namespace, nothing else. Cutting a host takes its bridge port down, as a
pulled cable would: the host keeps its address, its packets and those sent to it are dropped, and
connections to it time out instead of being refused.

Everything a run makes carries its pid in its name (`tsh` + pid in 6 hex digits + 2 random ones);
`Network` first removes what runs that are no longer alive left behind (killing the processes still
in their namespaces). Needs root (or CAP_NET_ADMIN) and iproute2; `unavailable()` says why not.
Every command is bounded in time.
"""

from __future__ import annotations

import contextlib
import fcntl
import ipaddress
import os
import re
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

PREFIX = "tsh"
SUBNETS = ipaddress.ip_network("10.77.0.0/16")  # one /24 of it per run
LOCK_FILE = Path("/tmp/troubleshooter-hosts.lock")
_OURS = re.compile(rf"^{PREFIX}([0-9a-f]{{6}})([0-9a-f]{{2}})")
IP_TIMEOUT = 15
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1


class HostsError(RuntimeError):
    """What keeps the hosts from being made, in one line."""


def ip(*args: str, check: bool = True, timeout: float = IP_TIMEOUT) -> str:
    """`ip ARGS`, bounded in time; its output (a failure raises HostsError with ip's message)."""
    try:
        done = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise HostsError(f"ip {' '.join(args)}: {exc}") from exc
    if check and done.returncode:
        raise HostsError(f"ip {' '.join(args)}: {(done.stderr or done.stdout).strip()}")
    return done.stdout


def unavailable() -> str | None:
    """Why network namespaces cannot be made here (not root, no iproute2, a sandbox refusing them), or None."""
    if not shutil.which("ip"):
        return "iproute2's `ip` is not installed"
    if os.geteuid() != 0:
        return "making network namespaces needs root"
    probe = f"{PREFIX}{os.getpid():06x}{secrets.token_hex(1)}-probe"
    try:
        ip("netns", "add", probe)
    except HostsError as exc:
        return f"`ip netns add` is refused here: {exc}"
    ip("netns", "del", probe, check=False)
    return None


def _alive(pid: int) -> bool:
    """Whether process `pid` runs (a zombie, dead but not yet reaped by its parent, does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _namespaces() -> list[str]:
    return [line.split()[0] for line in ip("netns", "list").splitlines() if line.strip()]


def _links() -> list[str]:
    names = []
    for line in ip("-o", "link", "show").splitlines():
        parts = line.split(": ", 2)
        if len(parts) > 1:
            names.append(parts[1].split("@")[0])
    return names


def set_link(name: str, up: bool) -> None:
    """Take a link of the root namespace up or down at once (one ioctl: no process started, so a cut
    lands within a millisecond of deciding it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        request = struct.pack("16sH22x", name.encode(), 0)
        flags = struct.unpack("16sH22x", fcntl.ioctl(s, SIOCGIFFLAGS, request))[1]
        flags = flags | IFF_UP if up else flags & ~IFF_UP
        fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sH22x", name.encode(), flags))


def kill_namespace_processes(netns: str, timeout: float = 10) -> list[int]:
    """SIGTERM (SIGKILL after `timeout` s) every process inside namespace `netns`: those killed."""
    pids = [int(p) for p in ip("netns", "pids", netns, check=False).split()]
    for sig in (signal.SIGTERM, signal.SIGCONT):
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.1)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return pids


def remove_leftovers() -> list[str]:
    """Remove the namespaces and links that runs no longer alive left (their processes killed): their names."""
    removed = []
    for name in _namespaces():
        match = _OURS.match(name)
        if match and not _alive(int(match.group(1), 16)):
            kill_namespace_processes(name, timeout=5)
            ip("netns", "del", name, check=False)
            removed.append(name)
    for name in _links():
        match = _OURS.match(name)
        if match and not _alive(int(match.group(1), 16)):
            ip("link", "del", name, check=False)
            removed.append(name)
    return removed


@dataclass
class Host:
    """One test host: a network namespace, its address and the bridge port that connects it."""

    role: str
    netns: str
    address: str
    port_link: str  # the veth end on the bridge (root namespace)

    def command(self, args: list[str]) -> list[str]:
        """`args` run inside this host."""
        return ["ip", "netns", "exec", self.netns, *args]

    def popen(self, args: list[str], **kwargs) -> subprocess.Popen:
        """A process started inside this host (in a session of its own: its group can be signalled)."""
        kwargs.setdefault("start_new_session", True)
        return subprocess.Popen(self.command(args), **kwargs)

    def run(self, args: list[str], timeout: float, **kwargs) -> subprocess.CompletedProcess:
        """A command run inside this host to its end, at most `timeout` seconds."""
        return subprocess.run(self.command(args), timeout=timeout, **kwargs)

    def pids(self) -> list[int]:
        """Every process inside this host."""
        return [int(p) for p in ip("netns", "pids", self.netns, check=False).split()]

    def connections(self, port: int, pid: int) -> int:
        """Established TCP connections to `port` inside this host, read from /proc/PID/net/tcp of a process
        `pid` in it (a file read: fast enough to poll every millisecond). One per request in flight at a
        server whose clients (nginx) keep no idle connection to it."""
        wanted = f":{port:04X}"
        try:
            lines = Path(f"/proc/{pid}/net/tcp").read_text().splitlines()[1:]
        except OSError:
            return 0
        return sum(1 for line in lines if line.split()[1].endswith(wanted) and line.split()[3] == "01")

    def cut(self) -> None:
        """Cut the host off (its bridge port down): nothing reaches it or leaves it."""
        set_link(self.port_link, up=False)

    def restore(self) -> None:
        """Connect the host again."""
        set_link(self.port_link, up=True)

    @property
    def is_cut(self) -> bool:
        flags = ip("-o", "link", "show", self.port_link).split("<", 1)[1].split(">", 1)[0].split(",")
        return "UP" not in flags


class Network:
    """Hosts `roles` on one bridge, made on entering and always removed on leaving."""

    def __init__(self, roles: list[str]):
        if len(set(roles)) != len(roles) or not roles or len(roles) > 90:
            raise ValueError(f"roles must be distinct, 1 to 90 of them: {roles}")
        self.roles = roles
        self.run_id = f"{os.getpid():06x}{secrets.token_hex(1)}"
        self.bridge = f"{PREFIX}{self.run_id}b"
        self.hosts: dict[str, Host] = {}
        self.subnet: ipaddress.IPv4Network | None = None
        self.gateway: str | None = None  # the root namespace's address on the bridge
        self._clients: list[str] = []
        self._made: list[str] = []  # namespaces made, to remove

    def __getitem__(self, role: str) -> Host:
        return self.hosts[role]

    def __enter__(self) -> Network:
        try:
            self.make()
        except BaseException:
            self.teardown()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.teardown()

    def _free_subnet(self) -> ipaddress.IPv4Network:
        used = ip("-4", "-o", "addr", "show") + ip("-4", "route", "show", "table", "all", check=False)
        for subnet in SUBNETS.subnets(new_prefix=24):
            first_three = re.escape(str(subnet.network_address).rsplit(".", 1)[0] + ".")
            if not re.search(rf"(^|\s){first_three}", used, re.MULTILINE):  # e.g. "10.77.3." nowhere
                return subnet
        raise HostsError(f"every /24 of {SUBNETS} is in use on this machine")

    def make(self) -> None:
        remove_leftovers()
        LOCK_FILE.touch(exist_ok=True)
        with open(LOCK_FILE) as lock:  # picking a subnet and taking it is one step among parallel runs
            fcntl.flock(lock, fcntl.LOCK_EX)
            self.subnet = self._free_subnet()
            addresses = [str(a) for a in self.subnet.hosts()]
            self.gateway = addresses[0]
            ip("link", "add", self.bridge, "type", "bridge")
            ip("addr", "add", f"{self.gateway}/24", "dev", self.bridge)
            ip("link", "set", self.bridge, "up")
        for i, role in enumerate(self.roles):
            netns = f"{PREFIX}{self.run_id}-{role}"
            port_link, peer = f"{PREFIX}{self.run_id}v{i}", f"{PREFIX}{self.run_id}p{i}"
            ip("netns", "add", netns)
            self._made.append(netns)
            ip("link", "add", port_link, "type", "veth", "peer", "name", peer)
            ip("link", "set", peer, "netns", netns)
            ip("-n", netns, "link", "set", peer, "name", "eth0")
            ip("-n", netns, "addr", "add", f"{addresses[i + 1]}/24", "dev", "eth0")
            ip("-n", netns, "link", "set", "lo", "up")
            ip("-n", netns, "link", "set", "eth0", "up")
            ip("link", "set", port_link, "master", self.bridge)
            ip("link", "set", port_link, "up")
            self.hosts[role] = Host(role, netns, addresses[i + 1], port_link)

    def client_addresses(self, n: int) -> list[str]:
        """`n` more addresses of the root namespace on the bridge (clients told apart by address)."""
        start = 100 + len(self._clients)
        if start + n > 250:
            raise HostsError("no more client addresses in the subnet")
        new = [str(self.subnet.network_address + start + i) for i in range(n)]
        for address in new:
            ip("addr", "add", f"{address}/32", "dev", self.bridge)
        self._clients += new
        return new

    def reachable(self, address: str, port: int, timeout: float = 1.0) -> bool:
        """Whether a TCP connection from the root namespace to address:port is accepted now."""
        try:
            socket.create_connection((address, port), timeout=timeout).close()
            return True
        except OSError:
            return False

    def teardown(self) -> None:
        """Kill what runs in the hosts, remove them and the bridge (idempotent)."""
        for netns in self._made:
            kill_namespace_processes(netns)
        for netns in self._made:
            ip("netns", "del", netns, check=False)
        self._made = []
        if self.bridge in _links():
            ip("link", "del", self.bridge, check=False)
        # A veth end goes with its namespace, but the kernel may take a moment.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(name.startswith(PREFIX + self.run_id) for name in _links()):
            time.sleep(0.1)
        for name in _links():
            if name.startswith(PREFIX + self.run_id):
                ip("link", "del", name, check=False)
