"""`make bench`: NLU, diagnosis, speed and cost, engine scaling -> reports/."""

from __future__ import annotations

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from bench import analytics_speed, capacity, engine_speed, load
from evaluation import conversations, heldout, languages, wild
from evaluation import nlu as wild_nlu
from evaluation import replies as wild_replies
from harness.servers import Assistant, answers, free_port, wait_for
from scaleout.serving import SERVING_THREADS
from simulation import driver
from simulation.cases import Outcome, converse_case, load_cases, run_fixed_order, summarize
from simulation.personas import MAX_REPLIES, TypedPersona
from troubleshooter.knowledge import load_knowledge_base
from troubleshooter.paths import REPORTS, ROOT

RASA = str(ROOT / ".venv" / "bin" / "rasa")
ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}
ROUNDS = 2


def progress(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def timed(cmd: list[str], cwd: Path, log: Path) -> float:
    t0 = time.time()
    with open(log, "w") as f:
        subprocess.run(cmd, cwd=cwd, env=ENV, stdout=f, stderr=subprocess.STDOUT, check=True)
    return time.time() - t0


def nlu_cross_validation(work: Path) -> dict:
    progress("NLU: 3-fold cross-validation (3 trainings, a few minutes)")
    out = work / "nlu-cv"
    timed(
        [
            RASA,
            "test",
            "nlu",
            "--nlu",
            "data/nlu",
            "--config",
            "config.yml",
            "--cross-validation",
            "--folds",
            "3",
            "--out",
            str(out),
        ],
        ROOT,
        work / "nlu-cv.log",
    )
    report = json.loads((out / "intent_report.json").read_text())
    for png in ("intent_confusion_matrix.png", "intent_histogram.png"):
        if (out / png).exists():
            shutil.copy(out / png, REPORTS / f"nlu_{png}")
    return report


def diagnosis(assistant: Assistant, kb) -> dict:
    progress("diagnosis: the project's simulated users over REST")
    cases = load_cases(ROOT / "tests" / "simulated_users" / "cases.yml")
    ours = []
    for i, c in enumerate(cases):
        sender = f"bench-{uuid.uuid4().hex[:8]}"
        ours.append(converse_case(lambda text, s=sender: assistant.say(s, text), kb, c, typed=bool(i % 2))[0])
    article = [run_fixed_order(kb, c) for c in cases]
    oracle = [Outcome(resolved=True, fixes=["oracle"]) for _ in cases]
    fig, ax = plt.subplots(figsize=(7, 4))
    width = 0.4
    for k, (name, outs) in enumerate((("troubleshooter (REST)", ours), ("article's fixed order", article))):
        counts = Counter(len(o.fixes) if o.resolved else 0 for o in outs)
        xs = sorted(counts)
        ax.bar([x + k * width for x in xs], [counts[x] for x in xs], width, label=name)
    ax.set_xlabel("fixes tried until resolved (0 = not resolved)")
    ax.set_ylabel("simulated users")
    ax.legend()
    fig.tight_layout()
    fig.savefig(REPORTS / "fixes_tried.png", dpi=100)
    return {
        "troubleshooter (REST)": summarize(ours),
        "article fixed order": summarize(article),
        "oracle": summarize(oracle),
    }


def wild_sets(assistant: Assistant, kb, names: tuple[str, ...] = wild.ALL_SETS) -> dict:
    """The wild sets (tests/wild/, English and each language): text nobody on the project wrote.
    Only a `dev` part's misses reach the report; the other parts keep scores only."""
    out: dict = {}
    for name in names:
        progress(f"wild set {name!r}: NLU, replies in context, typed users")
        nlu = wild_nlu.evaluate(wild_nlu.parse(assistant.url), wild.nlu_examples(name))
        spoken = "" if name in wild.SETS else wild.language_of(name)
        replies = wild_replies.evaluate(assistant.url, wild.replies(name), spoken)
        contract = kb.contract["causes"]
        conversations = []
        for u in wild.users(name):
            sender = f"wild-{name}-{uuid.uuid4().hex[:8]}"
            persona = TypedPersona(u, contract[u["cause"]]["resolved_by"])
            conversations.append(driver.converse(lambda text, s=sender: assistant.say(s, text), persona, MAX_REPLIES))
        users = driver.summarize(conversations)
        if not name.endswith("dev"):
            replies.pop("misses")
        else:
            users["unresolved"] = [
                {"user": c.user, "cause": c.cause, "ended": c.ended, "fixes": c.fixes}
                for c in conversations
                if not c.resolved
            ]
        out[name] = {"nlu": nlu, "replies": replies, "users": users}
    return out


def heldout_sets(assistant: Assistant) -> dict:
    """The blind held-out sets (tests/heldout/): outcome replies, side and cause questions, `check` and
    `sealed` reported apart; neither part's texts reach the report."""
    out: dict = {}
    for kind in heldout.KINDS:
        for part in heldout.PARTS:
            progress(f"held-out {kind} ({part})")
            report = heldout.evaluate(assistant.url, heldout.load(kind, part))
            report.pop("misses")
            if kind == "outcomes":
                report["reader"] = heldout.outcome_reader(wild_nlu.parse(assistant.url), heldout.load(kind, part))
            out.setdefault(kind, {})[part] = report
    return out


def roleplayed(assistant: Assistant, kb) -> dict:
    """The role-played conversations (tests/heldout/conversations/), replayed per set."""
    out: dict = {}
    every = conversations.load()
    for name in sorted({c["set"] for c in every}):
        progress(f"role-played conversations ({name}): replayed over REST")
        played = [c for c in every if c["set"] == name]
        out[name] = conversations.evaluate(assistant.url, played, kb.contract)
        out[name]["in_context"] = conversations.in_context(assistant.url, played, {*kb.evidence, *kb.fixes})
        out[name]["continued"] = conversations.continued(assistant.url, played, kb.contract)
    return out


def _table(intro: str, header: str, rows: list[str]) -> list[str]:
    """A table of the report after a blank line and its introduction."""
    return ["", intro, "", header, "|" + "---|" * (header.count("|") - 1), *rows]


def _context_row(name: str, c: dict) -> str:
    return f"| {name} | {c['outcomes_right']} | {c['side_questions_answered']} | {c['answers_read']} |"


def _continued_row(name: str, c: dict) -> str:
    missed = ", ".join(f"{r['id']} ({r['ended']})" for r in c["rows"] if not r["resolved"]) or "-"
    return (
        f"| {name} | {c['conversations']} | {c['resolved']:.0%} | {c['mean_user_messages']:.1f} | "
        f"{c['own_words']:.0%} | {c['mean_fixes']:.2f} | {missed} |"
    )


def roleplay_report(sets: dict) -> list[str]:
    lines = [
        "## Role-played conversations (tests/heldout/conversations/)",
        "",
        "People with a hidden true cause, played by writers who never saw the training data; their messages "
        "replayed in order (the bot may answer differently now). Resolved: the bot said so when the user reported "
        "a fix that resolves their cause working.",
        "",
        "| set | n | resolved | user messages (mean) | questions (mean) | volunteered facts used | outcomes read "
        "right | side questions answered |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, x in sets.items():
        lines.append(
            f"| {name} | {x['conversations']} | {x['resolved']:.0%} | {x['mean_user_messages']:.1f} | "
            f"{x['mean_questions']:.1f} | {x['facts_used']} | {x['outcomes_right']} | {x['side_questions_answered']} |"
        )
    lines += _table(
        "A replay drifts once the bot asks something else than it did when the person played. Read in its own "
        "context instead (the conversation put in the state the person saw, their message sent):",
        "| set | outcomes read right | side questions answered | answers read as answers |",
        [_context_row(name, x["in_context"]) for name, x in sets.items()],
    )
    lines += _table(
        "Continued past the drift: the person's own message for a step whenever they wrote one for it (the same "
        "question or fix), otherwise the tap a widget user gives from their hidden facts and true cause "
        "(evaluation/conversations.py). Resolved: the bot said so after a fix that resolves their cause was "
        "reported working.",
        "| set | n | resolved | user messages (mean) | their own words | fixes (mean) | not resolved (how it ended) |",
        [_continued_row(name, x["continued"]) for name, x in sets.items()],
    )
    return lines + [""]


def heldout_report(h: dict) -> list[str]:
    lines = [
        "## Outcome replies, side questions and cause questions written blind (tests/heldout/)",
        "",
        "Each set by its own writer from tests/wild/BRIEF.md alone; no text equals a training line once "
        "normalised. A reply goes in with its fix (or question) pending; right / asked again / wrong is what "
        "the assistant read it as (a side question is right when it is answered, also beside an answer or an "
        'outcome; a cause question, "is it because I\'m 14?", when it is read as that question about a fact it '
        'states); "pending kept" is how often a side question asked alone left the awaited step pending.',
        "",
        "| set | part | n | right | asked again | wrong | pending kept |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind, parts in h.items():
        for part, x in parts.items():
            lines.append(
                f"| {kind} | {part} | {x['items']} | {x['right']:.1%} | {x['unclear']:.1%} | {x['wrong']:.1%} | "
                + (f"{x['pending_kept']:.0%} |" if x["pending_kept"] == x["pending_kept"] else "- |")
            )
    readers = [
        f"{part} {x['reader']['accuracy']:.1%} right, calibration error (ECE) {x['reader']['ece']:.3f}"
        for part, x in h.get("outcomes", {}).items()
        if "reader" in x
    ]
    if readers:
        lines += ["", "The outcome reader alone (nlu/outcomes.py), its best reading against the expected outcome: "]
        lines[-1] += "; ".join(readers) + "."
    lines += ["", "Right per label (check / sealed):", "", "| set | label | check | sealed |", "|---|---|---|---|"]
    for kind, parts in h.items():
        for label in sorted({label for p in parts.values() for label in p["per_label"]}):
            cells = []
            for part in heldout.PARTS:
                x = parts[part]["per_label"].get(label)
                cells.append(f"{x.get('right', 0)}/{x['n']}" if x else "-")
            lines.append(f"| {kind} | {label} | " + " | ".join(cells) + " |")
    languages = [
        f"{kind} {part}: " + ", ".join(f"{lang} {x['right']:.1%} of {x['n']}" for lang, x in p["per_language"].items())
        for kind, parts in h.items()
        if kind != "outcomes"
        for part, p in parts.items()
    ]
    if languages:
        lines += ["", "Side questions right per language: " + "; ".join(languages) + "."]
    return lines + [""]


def speed(url: str, script: load.Script, pid: int, helpers: list[int] = ()) -> dict:
    """Latency and throughput of the server at `url` (process `pid`); CPU per turn counts `pid` and
    the `helpers` processes that serve its turns (the action server)."""
    rounds = []
    for _round in range(ROUNDS):
        rounds.append(
            {
                "sequential": load.sequential(url + "/webhooks/rest/webhook", script),
                "concurrent": load.concurrent(url + "/webhooks/rest/webhook", script, pids=[pid, *helpers]),
            }
        )
    med = lambda kind, key: statistics.median(x[kind][key] for x in rounds)
    return {
        "seq_p50_ms": med("sequential", "p50_ms"),
        "seq_p95_ms": med("sequential", "p95_ms"),
        "conc_p50_ms": med("concurrent", "p50_ms"),
        "conc_p95_ms": med("concurrent", "p95_ms"),
        "req_per_s": med("concurrent", "req_per_s"),
        "turns_per_core_s": med("concurrent", "turns_per_core_s"),
        "cpu_ms_per_turn": med("concurrent", "cpu_ms_per_turn"),
        "server_cpu_ms_per_turn": med("concurrent", "server_cpu_ms_per_turn"),
        "helpers_cpu_ms_per_turn": med("concurrent", "helpers_cpu_ms_per_turn"),
        "errors": sum(x["sequential"]["errors"] + x["concurrent"]["errors"] for x in rounds),
        "rss_mb": load.rss_mb(pid),
        "actions_rss_mb": sum(load.rss_mb(h) for h in helpers) if helpers else float("nan"),
    }


def wait_ready(url: str, proc: subprocess.Popen, seconds: float = 300) -> float:
    """Seconds until the server at `url` answers; an error as soon as its process exits."""
    t0 = time.time()

    def up() -> bool:
        if proc.poll() is not None:
            raise RuntimeError("server exited")
        return answers(url)

    wait_for(up, seconds, url, every=0.5)
    return time.time() - t0


def stock_assistant(work: Path) -> dict:
    progress("stock `rasa init` assistant: init + train")
    folder = work / "stock"
    folder.mkdir()
    train_s = timed([RASA, "init", "--no-prompt", "--init-dir", str(folder)], work, work / "stock-init.log")
    progress("stock assistant: serving and load")
    model = sorted((folder / "models").glob("*.tar.gz"))[-1]
    # served the way ours is: an SQLite tracker store (rasa init's default keeps conversations in memory)
    endpoints = folder / "endpoints.yml"
    endpoints.write_text(
        endpoints.read_text() + f'\ntracker_store:\n  type: SQL\n  dialect: "sqlite"\n  db: "{work / "stock.db"}"\n'
    )
    # As shipped (TensorFlow's default thread pools), then with the thread settings ours is served with
    # (scaleout/serving.py): the ratio then compares the bots, not the settings.
    out = stock_served(folder, model, endpoints, ENV, work / "stock-run.log")
    same = stock_served(folder, model, endpoints, {**ENV, **SERVING_THREADS}, work / "stock-run-threads.log")
    return {"train_s": train_s, **out, "same_threads": same}


def stock_served(folder: Path, model: Path, endpoints: Path, env: dict, log_path: Path) -> dict:
    port = free_port()  # never a fixed port: another server there would be measured instead (make test may run)
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [
                RASA,
                "run",
                "-m",
                str(model),
                "--enable-api",
                "-i",
                "127.0.0.1",
                "-p",
                str(port),
                "--endpoints",
                str(endpoints),
            ],
            cwd=folder,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            ready = wait_ready(f"http://127.0.0.1:{port}/", proc)
            out = speed(f"http://127.0.0.1:{port}", load.STOCK, proc.pid)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
    return {"ready_s": ready, **out}


def our_training(work: Path) -> float:
    """Seconds to train from scratch the way the project trains (scripts/rasa, as scripts/model.py does)."""
    progress("our assistant: timed training from scratch")
    return timed(
        [
            sys.executable,
            str(ROOT / "scripts" / "rasa"),
            "train",
            "--force",
            "--data",
            "data",
            "--config",
            "config.yml",
            "--domain",
            "domain.yml",
            "--out",
            str(work / "models"),
        ],
        ROOT,
        work / "train.log",
    )


def fmt(x, nd=1):
    if isinstance(x, float) and x != x:
        return "n/a"  # nan: the figure does not apply (the stock bot has no action server)
    return f"{x:.{nd}f}" if isinstance(x, float) else str(x)


def wild_report(w: dict) -> list[str]:
    lines = [
        "## Text nobody on the project wrote (tests/wild/)",
        "",
        "Written by helpers who saw only the intents' descriptions (tests/wild/BRIEF.md). `dev` was read to find "
        "kinds of errors, so its figures are optimistic; `check` guided decisions through its scores only until "
        "2026-12-04, when its misread replies were read to brief a round of examples (its replies figure is "
        "optimistic since); `sealed` is only ever reported.",
        "",
        "| figure | " + " | ".join(wild.SETS) + " |",
        "|---" * (len(wild.SETS) + 1) + "|",
    ]
    facts = lambda x: "{found} / {contradicted} / {missed} of {annotated}".format(
        **{"found": 0, "contradicted": 0, "missed": 0, "annotated": 0, **x["nlu"]["facts"]}
    )
    rows = [
        ("NLU messages", lambda x: x["nlu"]["examples"], "{}"),
        ("intent accuracy (top intent)", lambda x: x["nlu"]["accuracy"], "{:.1%}"),
        ("... on messages sharing no 4-word run with training", lambda x: x["nlu"]["novel_accuracy"], "{:.1%}"),
        (
            "share read with confidence >= 0.5 / their accuracy",
            lambda x: f"{x['nlu']['confident_share']:.0%} / {x['nlu']['confident_accuracy']:.1%}",
            "{}",
        ),
        ("stated facts found / contradicted / missed", facts, "{}"),
        (
            "facts read but not annotated (often right: writers annotated what they meant to state)",
            lambda x: x["nlu"]["facts"].get("extra", 0),
            "{}",
        ),
        (
            "fact reader calibration: ECE (a fact read but not annotated counts as wrong)",
            lambda x: x["nlu"].get("facts_ece"),
            "{:.3f}",
        ),
        (
            "replies in context: right / asked again / wrong",
            lambda x: f"{x['replies']['right']:.1%} / {x['replies']['unclear']:.1%} / {x['replies']['wrong']:.1%}",
            "{}",
        ),
        ("typed users: resolved", lambda x: x["users"]["resolved_rate"], "{:.1%}"),
        ("mean fix cost (unresolved = 8; oracle 1.0)", lambda x: x["users"]["mean_fix_cost"], "{:.2f}"),
        ("first fix right", lambda x: x["users"]["first_fix_right"], "{:.0%}"),
        ("questions before the first fix (mean)", lambda x: x["users"]["mean_questions_before_first_fix"], "{:.2f}"),
        ("questions per conversation (mean)", lambda x: x["users"]["mean_questions"], "{:.2f}"),
        ("repeated questions (beyond one reminder)", lambda x: x["users"]["repeated_questions"], "{}"),
        ("questions about what the user had said", lambda x: x["users"]["redundant_questions"], "{}"),
        ("dead ends", lambda x: x["users"]["dead_ends"], "{}"),
        ("resolved on a failure report", lambda x: x["users"]["false_resolutions"], "{}"),
    ]
    for label, get, form in rows:
        lines.append(f"| {label} | " + " | ".join(form.format(get(w[n])) for n in wild.SETS) + " |")
    lines += [
        "",
        "Intent accuracy per intent:",
        "",
        "| intent | " + " | ".join(wild.SETS) + " |",
        "|---" * (len(wild.SETS) + 1) + "|",
    ]
    for intent in sorted(w["dev"]["nlu"]["per_intent"]):
        cells = []
        for n in wild.SETS:
            x = w[n]["nlu"]["per_intent"].get(intent)
            cells.append(f"{x['right']}/{x['n']}" if x else "-")
        lines.append(f"| {intent} | " + " | ".join(cells) + " |")
    for n in wild.SETS:
        top = w[n]["nlu"]["confusions"][:12]
        lines += [
            "",
            f"Most frequent confusions ({n}): "
            + "; ".join(f"{c['gold']} → {c['predicted']} ×{c['count']}" for c in top),
        ]
    return lines + [""]


def languages_report(w: dict, detected: dict) -> list[str]:
    """Spanish, Portuguese and Indonesian beside English: the same figures on their own wild sets."""
    english = {k: statistics.mean(f(w[n]) for n in wild.SETS) for k, f in _LANGUAGE_FIGURES.items()}
    lines = [
        "## Other languages (tests/wild/<language>/)",
        "",
        "Written in each language's own register by helpers who never saw data/ (tests/wild/LANGUAGES-BRIEF.md), "
        "a different writer for `dev` (read to find kinds of errors), `check` (measured, guarded by a threshold "
        "just below; its texts equal to no training line) and `sealed` (only reported). English: the mean of its "
        "three sets.",
        "",
        "| figure | English | " + " | ".join(wild.LANGUAGE_SETS) + " |",
        "|---" * (len(wild.LANGUAGE_SETS) + 2) + "|",
    ]
    for label, get in _LANGUAGE_FIGURES.items():
        form = "{:.2f}" if "cost" in label or "questions" in label else "{:.1%}"
        cells = [form.format(get(w[n])) for n in wild.LANGUAGE_SETS]
        lines.append(f"| {label} | {form.format(english[label])} | " + " | ".join(cells) + " |")
    for label, key, form in (
        ("language reader: first messages put in the set's language", "right", "{:.1%}"),
        ("short replies (1-2 words) that switched the language", "short_replies_switching", "{}"),
        ("switch requests: the language asked for found", "switch_found", "{:.0%}"),
    ):
        cells = [form.format(detected[n][key]) for n in wild.LANGUAGE_SETS]
        lines.append(
            f"| {label} | {form.format(statistics.mean(detected[n][key] for n in wild.SETS))} | "
            + " | ".join(cells)
            + " |"
        )
    shown = lambda n: w[n]["users"].get("payload_languages", {})
    cells = [f"{shown(n).get(wild.language_of(n), 0) / max(sum(shown(n).values()), 1):.1%}" for n in wild.LANGUAGE_SETS]
    lines.append("| typed users: bot payloads in the user's language | - | " + " | ".join(cells) + " |")
    return lines + [""]


_LANGUAGE_FIGURES = {
    "intent accuracy (top intent)": lambda x: x["nlu"]["accuracy"],
    "replies read right in context": lambda x: x["replies"]["right"],
    "typed users resolved": lambda x: x["users"]["resolved_rate"],
    "mean fix cost (unresolved = 8)": lambda x: x["users"]["mean_fix_cost"],
    "questions before the first fix": lambda x: x["users"]["mean_questions_before_first_fix"],
}


def analytics_report(a: dict) -> list[str]:
    lines = [
        "## Analytics page (`/analytics`) with 10,000 conversations",
        "",
        f"{a['conversations']} conversations ({a['episodes']} episodes, {a['events']} events) in an SQLite tracker "
        f"store, copies of this run's own conversations spread over four weeks. Target: every answer under "
        f"{a['target_s']:.0f} s — {'met' if a['met'] else 'NOT met'}.",
        "",
        "| request | p50 (ms) | max (ms) |",
        "|---|---|---|",
    ]
    for key, label in (
        ("page", "dashboard page"),
        ("summary", "summary.json (all figures)"),
        ("summary_filtered", "summary.json, one day and one channel"),
        ("episodes_page", "episodes.json, 50 resolved"),
        ("conversation", "conversation.json (review)"),
        ("csv_export", "episodes.csv (all 10,000)"),
    ):
        lines.append(f"| {label} | {a[key + '_p50_ms']} | {a[key + '_max_ms']} |")
    lines += [
        "",
        f"First read of the whole store when the page server starts (in the background): "
        f"{a['cold_first_read_s']} s; the first figures after 100 new conversations: {a['after_100_new_s']} s "
        f"(only changed conversations are read). Page server RSS {a['rss_mb']} MB.",
        "",
        f"`make learn`'s estimation (EM with the choice of prior strengths) on all these episodes: "
        f"{a.get('learn_10k_s', 'not measured')} s.",
        "",
    ]
    return lines


def write_report(r: dict) -> None:
    s, o = r["stock"], r["ours"]
    lines = [
        "# Benchmark report",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on this machine "
        f"({os.cpu_count()} cores), medians of {ROUNDS} rounds, all in one run.",
        "",
        f"## Diagnosis (the project's own {r['diagnosis']['article fixed order']['cases']} simulated users, "
        "written from the contract: canned answers, some wrong, half by button)",
        "",
        "| policy | resolved | mean fixes | first fix right | mean questions | redundant questions | stalls |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, d in r["diagnosis"].items():
        lines.append(
            f"| {name} | {d['resolved_rate']:.0%} | {d['mean_fixes']:.2f} | {d['first_fix_right']:.0%} | "
            f"{d['mean_questions']:.2f} | {d['redundant_questions']} | {d['stalled']} |"
        )
    lines += ["", "![fixes tried](fixes_tried.png)", ""] + wild_report(r["wild"])
    lines += languages_report(r["wild"], r["languages"]) + heldout_report(r["heldout"])
    lines += roleplay_report(r["roleplay"])
    lines += [
        "## Speed and cost (REST, loopback)",
        "",
        "| figure | troubleshooter | stock `rasa init` | ratio |",
        "|---|---|---|---|",
    ]
    for key, label in (
        ("seq_p50_ms", "sequential p50 (ms)"),
        ("seq_p95_ms", "sequential p95 (ms)"),
        ("conc_p50_ms", "20 concurrent p50 (ms)"),
        ("conc_p95_ms", "20 concurrent p95 (ms)"),
        ("req_per_s", "20 concurrent req/s"),
        ("turns_per_core_s", "turns per second per core (20 concurrent)"),
        ("cpu_ms_per_turn", "CPU ms per turn (Rasa + action server)"),
        ("errors", "errors"),
        ("rss_mb", "Rasa server RSS (MB)"),
        ("actions_rss_mb", "action server RSS (MB)"),
        ("train_s", "training (s)"),
        ("ready_s", "start until answering (s)"),
    ):
        ratio = o[key] / s[key] if s[key] else float("nan")
        lines.append(f"| {label} | {fmt(o[key])} | {fmt(s[key])} | {fmt(ratio, 2)} |")
    same = s["same_threads"]
    lines += [
        "",
        f"The stock bot served with ours' thread settings (scaleout/serving.py: one TensorFlow and BLAS "
        f"thread per process): {fmt(same['turns_per_core_s'])} turns per second per core, "
        f"{fmt(same['cpu_ms_per_turn'])} CPU ms per turn, 20 concurrent p50 {fmt(same['conc_p50_ms'])} ms; "
        f"ours / stock per core {fmt(o['turns_per_core_s'] / same['turns_per_core_s'], 2)}.",
        "",
        "Both servers keep conversations in an SQLite tracker store. Each troubleshooting turn of ours "
        "calls the action server; the stock bot's turns are templates. Our start time includes the action "
        "server and the web page server. CPU per turn is what the servers' processes spent (from /proc) "
        "while the 20 conversations ran: turns per second per core = turns / CPU seconds, which the "
        "machine's other load disturbs far less than the wall-clock rate.",
        "",
        "## Capacity plan (from this run's CPU per turn and memory)",
        "",
        *capacity.table(
            capacity.plan(o["server_cpu_ms_per_turn"], o["helpers_cpu_ms_per_turn"], o["rss_mb"], o["actions_rss_mb"])
        ),
        "",
        "## Engine alone (median time of one step)",
        "",
        "| knowledge base | ms per step |",
        "|---|---|",
    ]
    lines += [f"| {k} | {v:.2f} |" for k, v in r["engine"].items()]
    cv = r["nlu_cv"]
    lines += [
        "",
        "## NLU",
        "",
        f"3-fold cross-validation, weighted intent F1: {cv['weighted avg']['f1-score']:.3f}; "
        f"the project's own held-out examples (tests/nlu/heldout.yml, written without the training data) weighted F1: "
        f"{r['heldout_f1']:.3f}. For text nobody on the project wrote, see above.",
        "",
        "| intent | F1 (cross-validated) | support |",
        "|---|---|---|",
    ]
    lines += [
        f"| {k} | {v['f1-score']:.2f} | {v['support']} |"
        for k, v in sorted(cv.items())
        if isinstance(v, dict) and "support" in v and k not in ("macro avg", "weighted avg", "micro avg")
    ]
    lines += ["", "![confusion matrix](nlu_intent_confusion_matrix.png)", ""] + analytics_report(r["analytics"])
    (REPORTS / "bench.md").write_text("\n".join(lines))
    (REPORTS / "bench.json").write_text(json.dumps(r, indent=2, default=str))


def main() -> None:
    t_start = time.time()
    REPORTS.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    kb = load_knowledge_base()
    r: dict = {}
    progress("engine alone: step time on 22/100/1000-cause knowledge bases")
    r["engine"] = engine_speed.run(kb)
    r["nlu_cv"] = nlu_cross_validation(work)
    train_s = our_training(work)
    r["stock"] = stock_assistant(work)
    progress("our assistant: start, simulated users, load")
    a = Assistant(work)
    t0 = time.time()
    a.start()
    ready = time.time() - t0
    try:
        r["heldout_f1"] = wild_nlu.heldout(wild_nlu.parse(a.url))["f1"]
        r["wild"] = wild_sets(a, kb)
        progress("language reader: first messages, short replies, switch requests")
        r["languages"] = languages.evaluate(wild_nlu.parse(a.url), wild.ALL_SETS, kb.languages, kb.language_names)
        r["heldout"] = heldout_sets(a)
        r["roleplay"] = roleplayed(a, kb)
        r["diagnosis"] = diagnosis(a, kb)
        progress("our assistant: load (sequential, then 20 concurrent conversations)")
        # each conversation in its own words (load.varied), as users type: the NLU meets new texts
        r["ours"] = {"train_s": train_s, "ready_s": ready, **speed(a.url, load.varied, a.rasa_pid(), a.actions_pids())}
    finally:
        a.stop()
    progress("analytics page with 10,000 conversations (copies of this run's)")
    r["analytics"] = analytics_speed.run(work / "tracker.db", work)
    write_report(r)
    shutil.rmtree(work, ignore_errors=True)
    progress(f"done in {time.time() - t_start:.0f} s: reports/bench.md")
    print((REPORTS / "bench.md").read_text())


if __name__ == "__main__":
    sys.exit(main())
