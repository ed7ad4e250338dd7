"""`make learn`: re-estimate the knowledge base's probabilities from finished episodes
(learning/estimate.py), write the proposal to knowledge/learned.yml, and a
calibration report (reports/learning.md + PNGs) with a known-truth demonstration.

  python -m learning.command [--source live|demo] [--db FILE] [--out-kb FILE]

The assistant uses the proposal only when knowledge/settings.yml says
`learned: learned.yml`; review it (the diff is printed) and commit it like any
other knowledge.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import yaml

from analytics.service import DEMO_DB, ROOT, Sources
from analytics.store import StoreError
from learning.calibration import evaluate
from learning.demonstration import COMMON_CAUSE, DEMO_TEST_USERS, DEMO_USERS, FACTOR, WEAK_FIX, WEAK_FOR, demonstration
from learning.estimate import cases_of, largest_changes, learn, proposal
from troubleshooter.engine import Engine
from troubleshooter.knowledge import DEFAULT_DIR, load_knowledge_base, with_learned

REPLAY_NOTE = (
    'Replays answer questions as the episode did ("not sure" where it has no answer); the episode\'s '
    "resolving fix works and every fix the episode did not try is assumed not to. The engine that "
    "chose the episodes' fixes (before) is favoured by that assumption: only the known-truth "
    "demonstration below, where every fix's result is known, measures fixes tried fairly."
)


def _reliability_png(ev: dict, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], color="#bbb", lw=1, label="perfect")
    for name, colour in (("before", "#ef6c00"), ("after", "#1565c0")):
        table = ev[name]["reliability"]
        ax.plot(
            [t[0] for t in table],
            [t[1] for t in table],
            "o-",
            color=colour,
            label=f"{name} (ECE {ev[name]['ece']:.3f})",
        )
    ax.set_xlabel("predicted P(suggested fix resolves)")
    ax.set_ylabel("share that resolved")
    ax.set_title("Reliability, later episodes (equal-count bins)")
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _calibration(ev: dict, target: str) -> list[str]:
    b, a = ev["before"], ev["after"]
    return [
        f"Learned on the earlier {ev['train']} episodes, tested on the later {ev['test']} "
        f"({b['predictions']} fix results; {b['replayed']} resolved episodes replayed).",
        "",
        "| figure | before (knowledge base) | after learning |",
        "|---|---|---|",
        f"| Brier score of P(fix resolves) | {b['brier']:.4f} | {a['brier']:.4f} |",
        f"| expected calibration error (10 equal-count bins) | {b['ece']:.4f} | {a['ece']:.4f} |",
        f"| log-loss | {b['log_loss']:.4f} | {a['log_loss']:.4f} |",
        f"| top-1 cause = {target} | {b['top1']:.1%} | {a['top1']:.1%} |",
        f"| replayed: mean fixes tried | {b['mean_fixes']:.2f} | {a['mean_fixes']:.2f} |",
        f"| replayed: mean questions asked | {b['mean_questions']:.2f} | {a['mean_questions']:.2f} |",
        "",
    ]


def report(ev: dict | None, demo: dict, prop: dict, source: str, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    lines = [
        "# Learning from outcomes",
        "",
        f"Episodes from {source}; generated "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. The proposal is `knowledge/learned.yml` "
        f"({prop['episodes']} episodes; prior strength in pseudo-episodes "
        f"{', '.join(f'{k} {v:g}' for k, v in prop['prior_strength'].items())}, chosen on held-out "
        "log-likelihood); the assistant uses it only with `learned: learned.yml` in `knowledge/settings.yml`.",
        "",
    ]
    if ev is None:
        lines += ["Too few episodes for a before/after comparison (at least 20 with an outcome are needed).", ""]
    else:
        _reliability_png(ev, out / "learning_reliability.png")
        lines += [
            "## Calibration on later episodes",
            "",
            *_calibration(ev, "cause the resolving fix points to"),
            "![reliability](learning_reliability.png)",
            "",
            REPLAY_NOTE,
            "",
        ]
    v, o = demo["values"], demo["outcome"]
    lines += [
        "## Known truth: does learning find it?",
        "",
        f"{demo['users']} simulated users diagnosed by the engine, whose true probabilities differ from "
        f"the knowledge base's: `{COMMON_CAUSE}` is {FACTOR:g} times as common, and `{WEAK_FIX}` resolves "
        f"`{WEAK_FOR}` half as often. Then {demo['test_users']} new users from the same population, "
        "each answering and reacting identically for both engines.",
        "",
        "| value | knowledge base | truth | learned |",
        "|---|---|---|---|",
        f"| P({COMMON_CAUSE}) (normalised prior) | {v['prior'][0]:.3f} | {v['prior'][1]:.3f} | {v['prior'][2]:.3f} |",
        f"| P({WEAK_FIX} resolves {WEAK_FOR}) | {v['fix'][0]:.3f} | {v['fix'][1]:.3f} | {v['fix'][2]:.3f} |",
        "",
        "| new users | before learning | after learning |",
        "|---|---|---|",
        f"| mean fixes tried | {o['before']['mean_fixes']:.3f} | {o['after']['mean_fixes']:.3f} |",
        f"| resolved | {o['before']['resolved']:.1%} | {o['after']['resolved']:.1%} |",
        "",
        "The same calibration figures on the demonstration's own episodes (time-ordered split):",
        "",
        *_calibration(demo["calibration"], "the true cause"),
        "Largest learned changes in the demonstration:",
        "",
        "| value | was | learned | episodes |",
        "|---|---|---|---|",
    ]
    lines += [f"| {w} | {a_:.3f} | {b_:.3f} | {n:g} |" for w, a_, b_, n in demo["changes"]]
    lines += [
        "",
        "## Largest changes proposed from these episodes",
        "",
        "| value | was | proposed | episodes |",
        "|---|---|---|---|",
    ]
    lines += [f"| {w} | {a_:.3f} | {b_:.3f} | {n:g} |" for w, a_, b_, n in largest_changes(prop)] or ["| none | | | |"]
    path = out / "learning.md"
    path.write_text("\n".join(lines) + "\n")
    return path


def write_proposal(prop: dict, path: Path) -> None:
    head = (
        "# Proposed by `make learn` from finished conversations (learning/estimate.py).\n"
        "# Used only when knowledge/settings.yml has `learned: learned.yml`. Each value says what it was\n"
        "# and how many (expected) episodes it rests on; review before enabling.\n"
    )
    path.write_text(head + yaml.safe_dump(prop, sort_keys=False, allow_unicode=True))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", choices=("live", "demo"), default="live")
    ap.add_argument("--endpoints", default="endpoints.yml")
    ap.add_argument("--db", help="an SQLite tracker database to read instead")
    ap.add_argument("--out-kb", default=str(DEFAULT_DIR / "learned.yml"))
    ap.add_argument("--out", default=str(ROOT / "reports"))
    ap.add_argument("--demo-users", type=int, default=DEMO_USERS, help="users of the known-truth demonstration")
    args = ap.parse_args(argv)
    started = time.time()
    kb = load_knowledge_base(DEFAULT_DIR)
    if kb.settings.get("learned"):
        print(
            "make learn: knowledge/settings.yml already applies learned values; learn from the knowledge base "
            "itself (remove `learned:`) so one run's proposal does not compound the last",
            file=sys.stderr,
        )
        return 2
    try:
        sources = Sources.from_endpoints(ROOT / args.endpoints, DEMO_DB)
        if args.db:
            sources.read_instead(args.source, Path(args.db))
        if args.source not in sources.stores:
            print("make learn: no demo data yet (make demo-data)", file=sys.stderr)
            return 2
        episodes = sources.stores[args.source].episodes()
    except StoreError as exc:
        print(f"make learn: {exc}", file=sys.stderr)
        return 2
    engine = Engine(kb)
    cases = cases_of([e.row() for e in episodes if e.outcome not in ("ongoing", "no_problem")], engine)
    if not cases:
        print(
            f"make learn: none of the {len(episodes)} episodes has anything to learn from "
            "(a symptom with an answer or a fix result)",
            file=sys.stderr,
        )
        return 2
    prop = proposal(engine, learn(engine, cases))
    write_proposal(prop, Path(args.out_kb))
    with_learned(kb, prop)  # the file must load: validated like the rest
    ev = evaluate(kb, cases) if len(cases) >= 20 else None
    demo = demonstration(kb, users=max(100, min(args.demo_users, 100_000)), test_users=DEMO_TEST_USERS)
    path = report(ev, demo, prop, args.db or f"the {args.source} tracker store", Path(args.out))
    print(f"{args.out_kb}: {len(cases)} episodes; largest changes:")
    for what, was, now, n in largest_changes(prop, 10):
        print(f"  {what:60} {was:.3f} -> {now:.3f}  ({n:g} episodes)")
    print(f"{path} ({time.time() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
