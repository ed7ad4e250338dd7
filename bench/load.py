"""Per-message latency over REST: sequential and with 20 concurrent conversations; and
what the servers' processes spent on them (CPU seconds from /proc: turns per second
per core, which a noisy shared machine disturbs far less than wall-clock rates).

A script is a list of texts every conversation says in turn, or a function giving each
conversation its own (`varied`: the turns of OURS in the words of the project's simulated users)."""

from __future__ import annotations

import itertools
import os
import random
import statistics
import threading
import time
import uuid
from collections.abc import Callable
from functools import lru_cache

import requests

OURS = [
    "my messages fail with a red exclamation mark",
    "no",
    "no",
    "not sure",
    "still broken",
    "why do you think that?",
    "no",
    "still broken",
    "no",
    "what else can i try",
    "talk to a human",
    "start over",
]
# OURS's turns, worded by the project's simulated users (simulation/population.py) where it has words
# for them: an opening of the user's own symptom, typed answers, failed fixes, asking for a person.
_ROLES = ["opening", "no", "no", "unsure", "failed", OURS[5], "no", "failed", "no", OURS[9], "person", "start over"]
_conversations = itertools.count()  # each conversation of a run gets its own words, the same at every run


@lru_cache(maxsize=1)
def _population_words() -> tuple[Callable[[random.Random], str], dict[str, tuple[str, ...]]]:
    from simulation.population import ASK_PERSON, FAILED, TYPED, Population
    from troubleshooter.knowledge import load_knowledge_base

    kb = load_knowledge_base()
    opening = lambda rng: Population(kb, seed=rng.randrange(2**32)).user().opening
    return opening, {"no": TYPED["no"], "unsure": TYPED["unsure"], "failed": FAILED, "person": ASK_PERSON}


def varied(turns: int) -> list[str]:
    """The next conversation's `turns` texts: OURS's turns in the simulated users' words."""
    rng = random.Random(f"conversation {next(_conversations)}")
    opening, words = _population_words()
    roles = [_ROLES[t % len(_ROLES)] for t in range(turns)]
    return [opening(rng) if r == "opening" else rng.choice(words[r]) if r in words else r for r in roles]


Script = list[str] | Callable[[int], list[str]]


def _texts(script: Script, turns: int) -> list[str]:
    return script(turns) if callable(script) else [script[t % len(script)] for t in range(turns)]


STOCK = [
    "hello",
    "I am sad",
    "yes",
    "hi",
    "great",
    "no",
    "bye",
    "are you a bot?",
    "hello",
    "I am happy",
    "good",
    "goodbye",
]


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def _post(url: str, sender: str, text: str) -> tuple[float, bool]:
    t0 = time.perf_counter()
    try:
        r = requests.post(url, json={"sender": sender, "message": text}, timeout=60)
        ok = r.status_code == 200
    except requests.RequestException:
        ok = False
    return time.perf_counter() - t0, ok


def sequential(url: str, script: Script, senders: int = 20, turns: int = 10) -> dict[str, float]:
    lat, errors = [], 0
    for _s in range(senders):
        sender = f"seq-{uuid.uuid4().hex[:8]}"
        for text in _texts(script, turns):
            dt, ok = _post(url, sender, text)
            lat.append(dt)
            errors += not ok
    return {
        "p50_ms": statistics.median(lat) * 1000,
        "p95_ms": percentile(lat, 0.95) * 1000,
        "requests": len(lat),
        "errors": errors,
    }


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes `pids` (all their threads) have used so far."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0.0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()  # after "(command name)", which may hold spaces
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def concurrent(
    url: str, script: Script, conversations: int = 20, turns: int = 24, pids: list[int] = ()
) -> dict[str, float]:
    """Latency and rate of `conversations` users talking at once; with `pids` (the server first,
    then the processes serving its turns), the CPU each spent per turn."""
    lat, errors, lock = [], [0], threading.Lock()

    scripts = [_texts(script, turns) for _ in range(conversations)]  # drawn before the clock starts

    def user(texts: list[str]):
        sender = f"conc-{uuid.uuid4().hex[:8]}"
        for text in texts:
            dt, ok = _post(url, sender, text)
            with lock:
                lat.append(dt)
                errors[0] += not ok

    threads = [threading.Thread(target=user, args=(texts,)) for texts in scripts]
    server, helpers = list(pids[:1]), list(pids[1:])
    cpu0, t0 = (cpu_seconds(server), cpu_seconds(helpers)), time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=600)
    wall = time.perf_counter() - t0
    spent = (cpu_seconds(server) - cpu0[0], cpu_seconds(helpers) - cpu0[1])
    cpu, n = sum(spent), max(len(lat), 1)
    return {
        "p50_ms": statistics.median(lat) * 1000,
        "p95_ms": percentile(lat, 0.95) * 1000,
        "req_per_s": len(lat) / wall,
        "requests": len(lat),
        "errors": errors[0],
        "cpu_ms_per_turn": cpu / n * 1000 if pids else float("nan"),
        "server_cpu_ms_per_turn": spent[0] / n * 1000 if pids else float("nan"),
        "helpers_cpu_ms_per_turn": spent[1] / n * 1000 if helpers else float("nan"),
        "turns_per_core_s": len(lat) / cpu if pids and cpu > 0 else float("nan"),
    }


def rss_mb(pid: int | None) -> float:
    if not pid:
        return float("nan")
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"process {pid} has exited: its memory cannot be measured")
