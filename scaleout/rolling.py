"""A rolling restart with draining: the replicas behind the front restarted one after the other while
users keep talking, none of their messages refused, lost or cut off.

For each replica in turn:
  1. drain: the front's config is rewritten with the replica marked `down` and nginx reloaded; new
     requests go to the others, and nginx's old workers finish the requests they had in flight (to
     this replica too) before they exit, which `front.reload` waits for;
  2. wait until the replica itself has nothing in flight (`Replica.idle`, e.g. no open connection
     to its port: a request that came another way than through this front);
  3. stop it (its supervisor sends SIGTERM), start it again, wait until it is ready (its model
     loaded: `Replica.ready`);
  4. put it back (the config without `down`, nginx reloaded), and on to the next.
Every wait is bounded. A replica that does not come back in time stays out (marked `down`: the others
keep answering) and the restart stops there with RollingError. Socket.io clients of a drained replica
(a websocket is open for as long as the page) are cut when it stops and reconnect to another.

`scripts/run.py --front PORT` does this on SIGUSR1 (`kill -USR1 $(cat build/front-PORT/run.pid)`);
on Kubernetes a Deployment's rolling update with a readiness probe and a preStop delay does the same
(deploy/README.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from .front import Front, FrontError, Server, address, reload


class RollingError(RuntimeError):
    """A replica that could not be drained or did not come back in time (it stays out)."""


@dataclass
class Replica:
    """One replica behind the front, and how its supervisor stops and starts it."""

    server: Server  # as in Front.replicas
    stop: Callable[[], None]  # returns once it has stopped
    start: Callable[[], None]  # returns at once; `ready` tells when it answers
    ready: Callable[[], bool]
    idle: Callable[[], bool] = field(default=lambda: True)


def _wait(condition: Callable[[], bool], seconds: float, what: str, every: float = 0.5) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > seconds:
            raise RollingError(f"{what} after {seconds:.0f} s")
        time.sleep(every)
    return time.monotonic() - started


def rolling_restart(
    front: Front,
    prefix: Path,
    replicas: list[Replica],
    drain_seconds: float = 130,
    ready_seconds: float = 300,
    say: Callable[[str], None] = lambda text: None,
    runner: tuple[str, ...] = (),
) -> list[dict]:
    """Restart `replicas` (behind `front`, whose nginx runs under `prefix`; `runner`: the command prefix
    that puts a command where nginx runs, see front.reload) one after the other, each drained first;
    what each step took, in seconds."""
    if front.draining:
        raise ValueError("start from the front's full config (nothing drained)")
    steps = []
    for replica in replicas:
        name = address(replica.server)
        started = time.monotonic()
        try:
            drained = reload(replace(front, draining=(replica.server,)), prefix, drain_seconds, runner)
        except FrontError as exc:
            raise RollingError(f"{name} could not be drained: {exc}") from exc
        idle = _wait(replica.idle, drain_seconds, f"{name} still had requests in flight")
        say(f"{name}: drained in {drained + idle:.1f} s, stopping")
        stop_started = time.monotonic()
        replica.stop()
        stopped = time.monotonic() - stop_started
        replica.start()
        ready = _wait(replica.ready, ready_seconds, f"{name} was not ready again (left out of the front)", 1)
        try:
            back = reload(front, prefix, drain_seconds, runner)
        except FrontError as exc:
            raise RollingError(f"{name} could not be put back: {exc}") from exc
        step = {
            "replica": name,
            "drain_s": round(drained + idle, 1),
            "stop_s": round(stopped, 1),
            "ready_s": round(ready, 1),
            "back_s": round(back, 1),
            "total_s": round(time.monotonic() - started, 1),
        }
        say(f"{name}: back after {step['total_s']} s")
        steps.append(step)
    return steps
