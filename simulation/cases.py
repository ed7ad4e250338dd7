"""Simulated users: run the engine (or a fixed fix order) on known cases.

A case is a user written from the domain alone (tests/simulated_users/cases.yml):
a true cause from the contract, the symptom reported first, and what the user
answers to every question, sometimes wrongly (`wrong` lists those answers).
Ground truth is the contract's `resolved_by`; the knowledge base is never asked
what a user would say or which fix works."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean
from typing import Any

import yaml

from troubleshooter.engine import Engine
from troubleshooter.knowledge import KnowledgeBase

# The article's tips in their fixed order (Tip 1 network ... Tip 7 reinstall).
ARTICLE_TIP_ORDER = (
    "switch_network",
    "update_app",
    "restart_device",
    "clear_cache",
    "close_background_apps",
    "report_problem",
    "reinstall_app",
)
MAX_TURNS = 40


@dataclass
class Case:
    cause: str
    symptom: str
    opening: str
    answers: dict[str, str]
    id: str = ""
    wrong: list[str] = field(default_factory=list)  # answers given that are not true of the case


@dataclass
class Outcome:
    resolved: bool
    fixes: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    redundant_questions: int = 0
    stalled: bool = False  # no end within MAX_TURNS, or a question or fix suggested again


def load_cases(path: Path | str) -> list[Case]:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))["cases"]
    yes_no = {True: "yes", False: "no"}
    return [
        Case(
            c["cause"],
            c["symptom"],
            c["opening"],
            {k: yes_no.get(v, v) for k, v in (c.get("answers") or {}).items()},
            str(c.get("id", "")),
            list(c.get("wrong") or []),
        )
        for c in raw
    ]


def fix_works(kb: KnowledgeBase, cause: str, fix: str) -> bool:
    """Ground truth: the contract's resolved_by (a case's cause must be a contract cause)."""
    spec = (kb.contract.get("causes") or {}).get(cause)
    if spec is None:
        raise ValueError(f"cause {cause!r} is not in the contract: no ground truth for it")
    return fix in spec.get("resolved_by", [])


def user_answer(kb: KnowledgeBase, case: Case, evidence: str) -> str:
    """What the case says; a question it does not cover is one the user cannot answer."""
    return case.answers.get(evidence, "unsure")


def run_engine(engine: Engine, case: Case) -> Outcome:
    kb = engine.kb
    d = engine.start(case.symptom)
    out = Outcome(resolved=False)
    known = set(engine.observed(d))
    for _ in range(MAX_TURNS):
        step = engine.advance(d)
        if step.id is not None and step.id in (out.questions if step.kind == "question" else out.fixes):
            out.stalled = True  # the same step again: a loop, not progress
            return out
        if step.kind == "question":
            if step.id in known:
                out.redundant_questions += 1
            out.questions.append(step.id)
            known.add(step.id)
            engine.answer(d, step.id, user_answer(kb, case, step.id))
        elif step.kind == "fix":
            out.fixes.append(step.id)
            worked = fix_works(kb, case.cause, step.id)
            engine.fix_result(d, step.id, worked)
            if worked:
                out.resolved = True
                return out
        else:
            return out
    out.stalled = True
    return out


def run_fixed_order(kb: KnowledgeBase, case: Case, order=ARTICLE_TIP_ORDER) -> Outcome:
    out = Outcome(resolved=False)
    for fix in order:
        out.fixes.append(fix)
        if fix_works(kb, case.cause, fix):
            out.resolved = True
            break
    return out


def summarize(outcomes: list[Outcome]) -> dict[str, Any]:
    n = len(outcomes)
    return {
        "cases": n,
        "resolved_rate": sum(o.resolved for o in outcomes) / n,
        "mean_fixes": mean(len(o.fixes) for o in outcomes),
        "first_fix_right": sum(o.resolved and len(o.fixes) == 1 for o in outcomes) / n,
        "mean_questions": mean(len(o.questions) for o in outcomes),
        "redundant_questions": sum(o.redundant_questions for o in outcomes),
        "stalled": sum(o.stalled for o in outcomes),
    }


def compare(engine: Engine, cases: list[Case]) -> dict[str, dict[str, Any]]:
    runs: dict[str, Callable[[Case], Outcome]] = {
        "engine": lambda c: run_engine(engine, c),
        "article_fixed_order": lambda c: run_fixed_order(engine.kb, c),
    }
    return {name: summarize([run(c) for c in cases]) for name, run in runs.items()}


if __name__ == "__main__":
    import json
    import sys

    from troubleshooter.knowledge import load_knowledge_base

    eng = Engine(load_knowledge_base())
    cases = load_cases(sys.argv[1] if len(sys.argv) > 1 else "tests/simulated_users/cases.yml")
    for c in cases:
        o = run_engine(eng, c)
        if not o.resolved or len(o.fixes) > 1:
            print(f"{c.cause:24} {c.symptom:18} resolved={o.resolved} fixes={o.fixes} q={o.questions}")
    print(json.dumps(compare(eng, cases), indent=2))
