"""The analytics page with 10,000 conversations in the tracker store.

The store is made from real conversations (the bench's own tracker database),
each copied under new ids and spread over four weeks; the page server is the
project's own (`scripts/serve_web.py`) on a free port.

  python -m bench.analytics_speed SEED_DB
"""

from __future__ import annotations

import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests
import yaml

from harness.servers import answers, free_port, start_page_server, wait_for

CONVERSATIONS = 10_000
ROUNDS = 20
TARGET_S = 1.0


def replicate(seed: Path, dest: Path, n: int, start: int = 0, days: int = 28, rng_seed: int = 1) -> int:
    """Write `n` conversations into `dest` (same schema as `seed`), copies of the seed's."""
    rng = random.Random(rng_seed + start)
    src = sqlite3.connect(seed)
    senders = [r[0] for r in src.execute("SELECT DISTINCT sender_id FROM events")]
    if not senders:
        raise RuntimeError(f"no conversations in {seed} to copy")
    schema = src.execute("SELECT sql FROM sqlite_master WHERE type='table' AND name='events'").fetchone()[0]
    events = {
        s: src.execute(
            "SELECT type_name, timestamp, intent_name, action_name, data FROM events WHERE sender_id = ? ORDER BY id",
            (s,),
        ).fetchall()
        for s in senders
    }
    src.close()
    out = sqlite3.connect(dest)
    out.execute(schema.replace("CREATE TABLE events", "CREATE TABLE IF NOT EXISTS events"))
    out.execute("CREATE INDEX IF NOT EXISTS ix_events_sender_id ON events (sender_id)")
    now = time.time()
    rows = []
    for i in range(start, start + n):
        original = events[senders[i % len(senders)]]
        offset = now - rng.uniform(600, days * 86400) - original[0][1]
        for type_name, ts, intent, action, data in original:
            event = json.loads(data)
            event["timestamp"] = ts + offset
            rows.append((f"bench-{i:05d}", type_name, ts + offset, intent, action, json.dumps(event)))
    out.executemany(
        "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )
    out.commit()
    out.close()
    return len(rows)


def _timed(url: str, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        r = requests.get(url, timeout=60)
        r.raise_for_status()
        times.append(time.perf_counter() - t)
    return times


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _learning_time(endpoints: Path) -> float:
    """Seconds `make learn`'s estimation takes on every episode of the store (reading excluded)."""
    from analytics.service import Sources
    from learning.estimate import cases_of, learn

    store = Sources.from_endpoints(endpoints, demo=None).stores["live"]
    cases = cases_of([e.row() for e in store.episodes() if e.outcome not in ("ongoing", "no_problem")], store.engine)
    started = time.perf_counter()
    learn(store.engine, cases)
    return round(time.perf_counter() - started, 2)


def run(seed: Path, work: Path) -> dict:
    db = work / "analytics-10k.db"
    db.unlink(missing_ok=True)
    n_events = replicate(seed, db, CONVERSATIONS)
    endpoints = work / "analytics-endpoints.yml"
    endpoints.write_text(yaml.safe_dump({"tracker_store": {"type": "SQL", "dialect": "sqlite", "db": str(db)}}))
    port = free_port()
    proc = start_page_server(port, "--endpoints", str(endpoints), "--demo-db", str(work / "no-demo.db"))
    base = f"http://127.0.0.1:{port}/analytics"
    try:
        wait_for(lambda: answers(base), 60, "the analytics page")
        cold = _timed(base + "/summary.json", 1)[0]
        summary = requests.get(base + "/summary.json", timeout=60).json()
        sender = "bench-00042"
        timings = {
            "page": _timed(base, ROUNDS),
            "summary": _timed(base + "/summary.json", ROUNDS),
            "summary_filtered": _timed(base + f"/summary.json?from={summary['range']['last']}&channel=rest", ROUNDS),
            "episodes_page": _timed(base + "/episodes.json?limit=50&outcome=resolved", ROUNDS),
            "conversation": _timed(base + f"/conversation.json?id={sender}", ROUNDS),
            "csv_export": _timed(base + "/episodes.csv", 3),
        }
        replicate(seed, db, 100, start=CONVERSATIONS)
        time.sleep(1.1)  # past the server's 1 s refresh window
        incremental = _timed(base + "/summary.json", 1)[0]
        rss = _rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    learning = _learning_time(endpoints)
    out = {
        "learn_10k_s": learning,
        "conversations": summary["counts"]["conversations"],
        "episodes": summary["counts"]["episodes"],
        "events": n_events,
        "cold_first_read_s": round(cold, 2),
        "after_100_new_s": round(incremental, 3),
        "rss_mb": round(rss),
        "target_s": TARGET_S,
    }
    for name, t in timings.items():
        out[f"{name}_p50_ms"] = round(statistics.median(t) * 1000, 1)
        out[f"{name}_max_ms"] = round(max(t) * 1000, 1)
    out["met"] = (
        all(max(t) < TARGET_S for name, t in timings.items() if name != "csv_export") and incremental < TARGET_S
    )
    return out


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps(run(Path(sys.argv[1]), Path(tmp)), indent=2))
