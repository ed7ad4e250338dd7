"""A flood from one client address at the front, and what it does to the other users' latency: the
front on loopback (tests/integration/test_front.py) and the load-balancer host across hosts
(tests/integration/test_hosts.py).

    result = flood_rounds(measure, host, port, source="127.0.0.2", seconds=60)
    assert not result.faults(), result.figures()

`measure()` makes (or watches) one round of the other users' turns and returns their latencies; the
rounds go quiet, flood, flood, quiet, so a drift of the machine's own load (other work on it) weighs on
both alike. Each round's p95 is taken, and the median of the flooded rounds' p95 is judged against
BOUND times the median of the quiet rounds': a flood that slows the others slows every flooded round,
while one round caught by other work on the machine (a p95 of 61 ms among rounds of 34-36) does not
decide. A sequence over the bound is followed by a second, and the rounds of both are judged together.
"""

from __future__ import annotations

import json
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

ORDER = (False, True, True, False)  # rounds without and with the flood
SEQUENCES = 2  # a second ORDER only when the first is over the bound: then judged on both
BOUND = 1.2  # the others' p95 with the flood, at most this times their p95 without ...
SLACK = 0.012  # ... or this many seconds over it: at a p95 of 30 ms, two cores' scheduling moves it by 8
LEAD = 1.0  # seconds between starting a round's flood (or not) and measuring
REFUSED_SHARE = 0.9  # of the flooder's requests, at least, answered 429
RATE, WORKERS = 200, 16  # the flooder's requests a second, over this many connections

_FLOODER = r"""
import http.client, json, os, signal, sys, threading, time, uuid
host, port, source = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rate, seconds, workers = float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
counts, sample, lock, stop = {}, {}, threading.Lock(), threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stop.set())
opening = lambda: json.dumps({"sender": uuid.uuid4().hex, "message": "my messages fail with a red exclamation mark"})
start = time.monotonic()

def worker(k):
    conn = None
    for i in range(int(rate * seconds) // workers):  # paced to `rate` in all
        time.sleep(max(0.0, start + (i * workers + k) / rate - time.monotonic()))
        try:
            conn = conn or http.client.HTTPConnection(host, port, timeout=30, source_address=(source, 0))
            conn.request("POST", "/webhooks/rest/webhook", opening(), {"Content-Type": "application/json"})
            r = conn.getresponse()
            key, text = str(r.status), r.read()
            sample.setdefault(key, [r.getheader("Content-Type"), text.decode()])
        except Exception as exc:
            key, conn = type(exc).__name__, None
        with lock:
            counts[key] = counts.get(key, 0) + 1

for k in range(workers):
    threading.Thread(target=worker, args=(k,), daemon=True).start()
stop.wait(seconds)  # SIGTERM or the time is up: the counts, and every connection closed at once
with lock:
    print(json.dumps({"counts": counts, "sample": sample}), flush=True)
os._exit(0)
"""


def p95(values: list[float]) -> float:
    """The 95th percentile (inclusive method); the largest value of fewer than two, 0 of none."""
    if len(values) < 2:
        return max(values, default=0.0)
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def flood(host: str, port: int, source: str, seconds: float) -> subprocess.Popen:
    """A new conversation's first message POSTed to the front at host:port from the address `source`
    (bound: the front's per-address limits apply to it alone) RATE times a second over WORKERS
    connections, for at most `seconds` (SIGTERM: at once), in a process of its own: its client work
    does not hold up the measuring threads. It prints its counts per status when it ends (`stop`)."""
    args = [host, str(port), source, str(RATE), str(seconds), str(WORKERS)]
    return subprocess.Popen([sys.executable, "-c", _FLOODER, *args], stdout=subprocess.PIPE, text=True)


def stop(flooder: subprocess.Popen) -> dict:
    """Stop a flood: {"counts": {status or error name: n}, "sample": {status: [Content-Type, body]}}."""
    flooder.send_signal(signal.SIGTERM)
    return json.loads(flooder.communicate(timeout=30)[0])


@dataclass
class FloodRounds:
    """The other users' latencies without (False) and with (True) the flood, the p95 of each round in
    s (in ms in `figures`), and the flooder's answers: counts per status and one Content-Type and body
    of each."""

    latencies: dict[bool, list[float]] = field(default_factory=lambda: {False: [], True: []})
    rounds: list[tuple[bool, float]] = field(default_factory=list)  # (flooded, the round's p95 in s)
    statuses: dict[str, int] = field(default_factory=dict)
    samples: dict[str, list[str]] = field(default_factory=dict)

    def add(self, flooder: dict) -> None:
        for status, n in flooder["counts"].items():
            self.statuses[status] = self.statuses.get(status, 0) + n
        self.samples.update(flooder["sample"])

    def round_p95(self, flooded: bool) -> float:
        """The median of the p95s of the rounds with (True) or without the flood, in s; 0 of none."""
        values = [q for f, q in self.rounds if f == flooded]
        return statistics.median(values) if values else 0.0

    @property
    def within_bound(self) -> bool:
        quiet = self.round_p95(False)
        return self.round_p95(True) <= max(BOUND * quiet, quiet + SLACK)

    def figures(self) -> dict:
        """p95_ms_*: the judged figures (median of the rounds' p95); *_all_turns: the p95 of all turns."""
        quiet, flooded = self.latencies[False], self.latencies[True]
        return {
            "p95_ms_quiet": round(self.round_p95(False) * 1000),
            "p95_ms_flood": round(self.round_p95(True) * 1000),
            "p95_ms_quiet_all_turns": round(p95(quiet) * 1000),
            "p95_ms_flood_all_turns": round(p95(flooded) * 1000),
            "median_ms_quiet": round(statistics.median(quiet) * 1000) if quiet else None,
            "median_ms_flood": round(statistics.median(flooded) * 1000) if flooded else None,
            "p95_ms_per_round": [("flood" if f else "quiet", round(q * 1000)) for f, q in self.rounds],
            "turns_measured": len(quiet) + len(flooded),
            "flood_statuses": self.statuses,
        }

    def faults(self) -> list[str]:
        """What is wrong: the flooder not mostly refused, its 429 not the front's JSON, the others slowed."""
        out = []
        refused, sent = self.statuses.get("429", 0), sum(self.statuses.values())
        if not refused > REFUSED_SHARE * sent:
            out.append(f"only {refused} of the flooder's {sent} requests answered 429")
        content_type, body = self.samples.get("429", [None, ""])
        try:
            error = json.loads(body)["error"] if content_type == "application/json" else None
        except (ValueError, KeyError, TypeError):
            error = None
        if not (isinstance(error, str) and "Too many requests" in error):
            out.append(f"the 429 is not the front's JSON: {content_type} {body[:200]!r}")
        if not all(self.latencies.values()):
            out.append("a kind of round has no turns measured")
        elif not self.within_bound:
            out.append(f"the others' p95 with the flood is over {BOUND} x and {SLACK * 1000:.0f} ms over the quiet one")
        return out


def flood_rounds(measure: Callable[[], list[float]], host: str, port: int, source: str, seconds: float) -> FloodRounds:
    """Rounds in ORDER, each measured LEAD seconds after its flood from `source` started (at most
    `seconds` long, stopped when `measure` returns); a second sequence when the first is over the bound."""
    result = FloodRounds()
    for _ in range(SEQUENCES):
        for flooded in ORDER:
            flooder = flood(host, port, source, seconds) if flooded else None
            try:
                time.sleep(LEAD)  # the flood is on before the round is measured
                measured = measure()
            finally:
                if flooder:
                    result.add(stop(flooder))
            result.latencies[flooded] += measured
            result.rounds.append((flooded, p95(measured)))
        if result.within_bound:
            break
    return result
