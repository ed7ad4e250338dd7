"""A real, throw-away Redis for tests: `redis-server` on a free loopback port, nothing saved, its
files in a temporary folder; it answers PING before `start()` returns and is always stopped.

    with RedisServer() as redis:            # stopped on leaving, also when the body raises
        store = AtomicRedisLockStore(host=redis.host, port=redis.port)
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from .servers import free_port

REDIS_SERVER = "/usr/bin/redis-server"


class RedisServer:
    def __init__(self, binary: str = REDIS_SERVER, timeout: float = 10):
        self.binary, self.timeout = binary, timeout
        self.host = "127.0.0.1"
        self.port: int | None = None
        self.proc: subprocess.Popen | None = None
        self.dir: Path | None = None

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}"

    @property
    def pid(self) -> int:
        return self.proc.pid

    def ping(self) -> bool:
        """Whether the server answers PING now (a raw RESP exchange: no client library needed)."""
        try:
            with socket.create_connection((self.host, self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> RedisServer:
        """Start and wait (bounded) until it answers; on failure nothing is left running and the log is in the error."""
        self.dir = Path(tempfile.mkdtemp(prefix="test-redis-"))
        try:
            for _ in range(3):  # another process may take the free port before Redis binds it
                if self._start_on(free_port()):
                    return self
            raise RuntimeError(f"redis-server did not start:\n{self.log()[-2000:]}")
        except BaseException:
            self.stop()
            raise

    def _start_on(self, port: int) -> bool:
        self.port = port
        with open(self.dir / "redis.log", "ab") as log:
            self.proc = subprocess.Popen(
                [
                    self.binary,
                    "--port",
                    str(port),
                    "--bind",
                    self.host,
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(self.dir),
                    "--daemonize",
                    "no",
                ],
                cwd=self.dir,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.ping():
                return True
            if self.proc.poll() is not None:  # e.g. the port was taken meanwhile
                self.proc = None
                return False
            time.sleep(0.05)
        self._kill()
        raise RuntimeError(
            f"redis-server on port {port} did not answer PING in {self.timeout:.0f} s:\n{self.log()[-2000:]}"
        )

    def log(self) -> str:
        path = self.dir / "redis.log" if self.dir else None
        return path.read_text(errors="replace") if path and path.exists() else ""

    def _kill(self) -> None:
        """SIGTERM (and SIGCONT, in case a test froze it), then SIGKILL if it is still there after 10 s."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            for sig in (signal.SIGTERM, signal.SIGCONT):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, sig)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def stop(self) -> None:
        """Stop the server (idempotent) and remove its folder."""
        self._kill()
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
