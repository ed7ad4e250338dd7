"""`make demo-data`: a few hundred simulated users talk to the real assistant over REST,
into a tracker database of their own (build/demo/tracker.db, never the live one); their
conversations are then spread over the last four weeks so the dashboard has history.
The page shows them under source "demo", marked as simulated.

  python -m analytics.demo [--users 300] [--days 28] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from harness.servers import Assistant
from simulation.driver import Conversation, Say, converse
from simulation.population import Member, Population, User
from troubleshooter.knowledge import load_knowledge_base

from .service import DEMO_DB

MAX_TURNS = 25  # user messages, the opening included


def play(say: Say, pop: Population, u: User) -> Conversation:
    """One user's conversation (simulation/driver.py), until it ends, they give up, or MAX_TURNS."""
    return converse(say, Member(pop, u), MAX_TURNS - 1)


def spread(db: Path, days: int, rng: random.Random, now: float) -> int:
    """Move each conversation to a random start in the last `days` days (more of them lately),
    keeping its own timing; returns how many conversations were moved."""
    con = sqlite3.connect(db)
    try:
        firsts = con.execute("SELECT sender_id, MIN(timestamp) FROM events GROUP BY sender_id").fetchall()
        for sender, first in firsts:
            days_ago = rng.choices(range(days), [2.0 - i / days for i in range(days)])[0]  # more users lately
            offset = now - days_ago * 86400 - rng.uniform(600, 86400) - first
            rows = con.execute("SELECT id, data FROM events WHERE sender_id = ?", (sender,)).fetchall()
            for row_id, data in rows:
                event = json.loads(data)
                event["timestamp"] = event.get("timestamp", first) + offset
                con.execute(
                    "UPDATE events SET timestamp = ?, data = ? WHERE id = ?",
                    (event["timestamp"], json.dumps(event), row_id),
                )
        con.commit()
        return len(firsts)
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--users", type=int, default=300)
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--db", default=str(DEMO_DB))
    ap.add_argument("--model", required=True)
    args = ap.parse_args(argv)
    if not 1 <= args.users <= 5000 or not 1 <= args.days <= 365:
        print("--users must be 1..5000 and --days 1..365", file=sys.stderr)
        return 2
    db = Path(args.db)
    db.parent.mkdir(parents=True, exist_ok=True)
    db.unlink(missing_ok=True)
    pop = Population(load_knowledge_base(), seed=args.seed)
    users = [pop.user() for _ in range(args.users)]
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="demo-") as work:
        assistant = Assistant(Path(work), web=False, tracker_db=db)  # the test launcher: free ports, cleaned up
        assistant.model = args.model
        assistant.start()
        try:

            def run(i: int) -> None:
                sender = f"demo-{args.seed}-{i:04d}"
                play(lambda text: assistant.say(sender, text), pop, users[i])

            with ThreadPoolExecutor(4) as pool:
                list(pool.map(run, range(len(users))))
        finally:
            assistant.stop()
    moved = spread(db, args.days, random.Random(args.seed), time.time())
    print(
        f"{moved} simulated conversations in {db} ({time.time() - started:.0f} s); "
        f"see http://127.0.0.1:8080/analytics?source=demo"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
