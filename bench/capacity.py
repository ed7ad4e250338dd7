"""Replicas and cores for a day's traffic, from what one turn costs here.

A Rasa server is one process with one event loop: it uses at most one core,
so replicas = cores for the Rasa tier. The action server's processes are sized
the same way from their own CPU per turn. Each tier is planned to run at
UTILISATION of its cores at the peak, with at least two of each (a rolling
restart or a lost host leaves one serving)."""

from __future__ import annotations

import math

DAILY_CONVERSATIONS = (10_000, 100_000, 1_000_000)
TURNS_PER_CONVERSATION = 10  # user messages; the simulated and role-played users need 5-8 on average
PEAK_FACTOR = 4.0  # the busiest second of the day against the day's mean rate
UTILISATION = 0.6  # head-room at the peak: latency grows fast as a single event loop nears 100%
MINIMUM = 2


def plan(server_cpu_ms: float, actions_cpu_ms: float, server_rss_mb: float, actions_rss_mb: float) -> list[dict]:
    """One row per daily volume: peak turns/s, Rasa replicas, action servers, cores and memory."""
    rows = []
    for daily in DAILY_CONVERSATIONS:
        peak = daily * TURNS_PER_CONVERSATION / 86_400 * PEAK_FACTOR
        replicas = max(MINIMUM, math.ceil(peak * server_cpu_ms / 1000 / UTILISATION))
        actions = max(MINIMUM, math.ceil(peak * actions_cpu_ms / 1000 / UTILISATION))
        rows.append(
            {
                "conversations_per_day": daily,
                "peak_turns_per_s": peak,
                "rasa_replicas": replicas,
                "action_servers": actions,
                "cores": replicas + actions,
                "memory_gb": (replicas * server_rss_mb + actions * actions_rss_mb) / 1024,
            }
        )
    return rows


def table(rows: list[dict]) -> list[str]:
    lines = [
        f"Assumptions: {TURNS_PER_CONVERSATION} user messages per conversation, peak {PEAK_FACTOR:g}x the day's "
        f"mean rate, each tier at {UTILISATION:.0%} of its cores at the peak, at least {MINIMUM} of each. "
        "PostgreSQL, Redis and the load balancer come on top.",
        "",
        "| conversations a day | peak turns/s | Rasa replicas (1 core each) | action servers (1 core each) "
        "| cores | memory (GB) |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['conversations_per_day']:,} | {r['peak_turns_per_s']:.1f} | {r['rasa_replicas']} "
            f"| {r['action_servers']} | {r['cores']} | {r['memory_gb']:.1f} |"
        )
    return lines
