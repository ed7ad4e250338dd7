"""`make report`: the dashboard's figures as reports/support.md + PNGs, for teams that
do not want a page.

  python -m analytics.report [--source live|demo] [--db PATH] [--from DAY] [--to DAY] [--channel C]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from analytics.episodes import OUTCOMES
from analytics.metrics import DEFINITIONS, OUTCOME_LABELS, REASON_LABELS

from .service import DEMO_DB, ROOT, Analytics, QueryError, Sources
from .store import StoreError

COLOURS = {
    "resolved": "#2e7d32",
    "handed_over": "#1565c0",
    "abandoned": "#ef6c00",
    "restarted": "#6a5acd",
    "ongoing": "#9e9e9e",
    "no_problem": "#cfd8dc",
}


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.1%}"


def _by_day(s: dict, path: Path) -> None:
    days = [d["day"] for d in s["by_day"]]
    fig, ax = plt.subplots(figsize=(9, 3.6))
    bottom = [0] * len(days)
    for o in OUTCOMES:
        values = [d[o] for d in s["by_day"]]
        ax.bar(range(len(days)), values, bottom=bottom, color=COLOURS[o], label=OUTCOME_LABELS[o])
        bottom = [b + v for b, v in zip(bottom, values)]
    step = max(1, len(days) // 10)
    ax.set_xticks(range(0, len(days), step), [days[i][5:] for i in range(0, len(days), step)])
    ax.set_ylabel("diagnoses")
    ax.set_title("Diagnoses per day by outcome")
    ax.legend(fontsize=7, ncol=3, frameon=False)
    _save(fig, path)


def _barh(labels: list[str], values: list[float], title: str, path: Path, done: list[float] | None = None) -> None:
    fig, ax = plt.subplots(figsize=(9, 0.35 * max(len(labels), 3) + 1))
    y = list(range(len(labels)))[::-1]
    ax.barh(y, values, color="#90a4ae", label="all")
    if done is not None:
        ax.barh(y, done, color=COLOURS["resolved"], label="resolved / worked")
        ax.legend(fontsize=7, frameon=False)
    for yi, v in zip(y, values):
        ax.text(v, yi, f" {v:g}", va="center", fontsize=7)
    ax.set_yticks(y, labels, fontsize=7)
    ax.set_title(title)
    _save(fig, path)


def _save(fig, path: Path) -> None:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write(s: dict, out: Path, what: str) -> Path:
    """reports/support.md and its PNGs from a summary (Analytics.summary)."""
    out.mkdir(parents=True, exist_ok=True)
    labels = s["labels"]
    name = lambda kind, key: labels[kind].get(key, key or "unknown")
    c, r, per = s["counts"], s["rates"], s["per_resolved"]
    if s["by_day"]:
        _by_day(s, out / "support_by_day.png")
        _barh(
            [name("symptoms", x["symptom"]) for x in s["symptoms"]],
            [x["episodes"] for x in s["symptoms"]],
            "Symptoms (resolved part in green)",
            out / "support_symptoms.png",
            [x["resolved"] for x in s["symptoms"]],
        )
        _barh(
            [name("fixes", x["fix"]) for x in s["fixes"]],
            [x["suggested"] for x in s["fixes"]],
            "Fixes: suggested (grey) and worked (green)",
            out / "support_fixes.png",
            [x["worked"] for x in s["fixes"]],
        )
        _barh(
            [f["label"] for f in s["funnel"]], [f["count"] for f in s["funnel"]], "Funnel", out / "support_funnel.png"
        )
    f = s["filters"]
    lines = [
        f"# Support report ({what})",
        "",
        f"Period: {f['from'] or s['range']['first'] or '—'} to {f['to'] or s['range']['last'] or '—'}"
        f"{'; channel ' + f['channel'] if f['channel'] else ''}. Generated {s['generated_at']}.",
        "",
        "| figure | value |",
        "|---|---|",
        f"| conversations | {c['conversations']} |",
        f"| diagnoses | {c['diagnoses']} ({c['finished']} finished, {c['ongoing']} ongoing) |",
        f"| resolution rate | {_pct(r['resolution'])} ({c['resolved']}) |",
        f"| hand-over rate | {_pct(r['handover'])} ({c['handed_over']}) |",
        f"| abandonment rate | {_pct(r['abandonment'])} ({c['abandoned']}) |",
        f"| restart rate | {_pct(r['restart'])} ({c['restarted']}) |",
        f"| conversations with no problem described | {c['no_problem']} |",
        f"| questions / fixes / turns per resolved diagnosis | {per['questions_mean']} / {per['fixes_mean']} / "
        f"{per['turns_mean']} |",
        "",
        "## Definitions",
        "",
    ]
    lines += [f"- **{k.replace('_', ' ')}**: {v}" for k, v in DEFINITIONS.items()]
    if not s["by_day"]:
        lines += ["", "No conversations in this period."]
        return _finish(out, lines)
    lines += [
        "",
        "## Diagnoses per day",
        "",
        "![per day](support_by_day.png)",
        "",
        "## Funnel",
        "",
        "| step | count | of started |",
        "|---|---|---|",
    ]
    first = s["funnel"][0]["count"] or 1
    lines += [f"| {x['label']} | {x['count']} | {x['count'] / first:.0%} |" for x in s["funnel"]]
    lines += [
        "",
        "## Symptoms",
        "",
        "![symptoms](support_symptoms.png)",
        "",
        "| symptom | diagnoses | resolved |",
        "|---|---|---|",
    ]
    lines += [f"| {name('symptoms', x['symptom'])} | {x['episodes']} | {x['resolved']} |" for x in s["symptoms"]]
    lines += ["", "## Causes found (top cause at the end of finished diagnoses)", "", "| cause | times |", "|---|---|"]
    lines += [f"| {name('causes', x['cause'])} | {x['found']} |" for x in s["causes"]]
    lines += [
        "",
        "## Fixes",
        "",
        "![fixes](support_fixes.png)",
        "",
        "| fix | suggested | worked | failed | skipped | no answer | success rate | worked at rank |",
        "|---|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {name('fixes', x['fix'])} | {x['suggested']} | {x['worked']} | {x['failed']} | {x['skipped']} | "
        f"{x['unanswered']} | {_pct(x['success_rate'])} | "
        f"{', '.join(f'#{k}: {v}' for k, v in x['worked_at_rank'].items()) or '—'} |"
        for x in s["fixes"]
    ]
    lines += ["", "## Hand-over reasons", "", "| reason | count |", "|---|---|"]
    lines += [f"| {REASON_LABELS.get(x['reason'], x['reason'])} | {x['count']} |" for x in s["handover_reasons"]]
    return _finish(out, lines)


def _finish(out: Path, lines: list[str]) -> Path:
    path = out / "support.md"
    path.write_text("\n".join(lines) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", choices=("live", "demo"), default="live")
    ap.add_argument("--endpoints", default="endpoints.yml")
    ap.add_argument("--db", help="an SQLite tracker database to read instead")
    ap.add_argument("--from", dest="start")
    ap.add_argument("--to", dest="end")
    ap.add_argument("--channel")
    ap.add_argument("--out", default=str(ROOT / "reports"))
    args = ap.parse_args(argv)
    try:
        sources = Sources.from_endpoints(ROOT / args.endpoints, DEMO_DB)
        if args.db:
            sources.read_instead(args.source, Path(args.db))
        q = {"source": args.source, "from": args.start or "", "to": args.end or "", "channel": args.channel or ""}
        s = Analytics(sources).summary(q)
    except (QueryError, StoreError) as exc:
        print(f"make report: {exc}", file=sys.stderr)
        return 2
    what = "simulated users (demo data)" if args.source == "demo" else (args.db or "live conversations")
    path = write(s, Path(args.out), what)
    c = s["counts"]
    print(
        f"{path}: {c['diagnoses']} diagnoses in {c['conversations']} conversations, "
        f"resolution {_pct(s['rates']['resolution'])}, hand-over {_pct(s['rates']['handover'])}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
