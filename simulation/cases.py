"""The project's scripted cases as simulated users: the engine alone (or a fixed fix order)
on known cases, and the same cases over REST, half of them clicking buttons.

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

from .driver import Conversation, Say, converse
from .inprocess import Run, play
from .user import Reply, SimulatedUser, Step, answer_button, symptom_button

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
MAX_STEPS = 40  # engine steps in process
MAX_REPLIES = 30  # bot replies answered over REST
TYPED = {"yes": "yeah", "no": "nope", "unsure": "not sure"}


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
    stalled: bool = False  # no end within the limit, or a question or fix suggested again


def load_cases(path: Path | str) -> list[Case]:
    """The cases of a cases.yml (answers as yes, no or unsure)."""
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


class ScriptedCase(SimulatedUser):
    """A case as a user: answers from the case, a fix works when the contract says so; over REST
    it types its answers and fix results (`typed`) or clicks the buttons, and picks its own
    problem when asked "Do you mean ...?"."""

    def __init__(self, kb: KnowledgeBase, case: Case, typed: bool = False):
        self.kb, self.case, self.typed = kb, case, typed
        self.name, self.cause, self.symptoms = case.id, case.cause, (case.symptom,)
        self.stated = dict(kb.symptoms[case.symptom].implies) if case.symptom in kb.symptoms else {}

    def value(self, evidence: str) -> str:
        return user_answer(self.kb, self.case, evidence)

    def fix_works(self, fix: str) -> bool:
        return fix_works(self.kb, self.case.cause, fix)

    def opening(self) -> str:
        return self.case.opening

    def answer(self, step: Step, times: int) -> str:
        value = self.value(step["evidence"])
        return TYPED[value] if self.typed else answer_button(value, step["evidence"])

    def fix_result(self, step: Step, worked: bool, times: int) -> str:
        return "that worked" if worked else "still broken"

    def on_clarify(self, step: Step, reply: Reply) -> str | None:
        mine = symptom_button(self.case.symptom)
        return mine if any(b["payload"] == mine for m in reply for b in m.get("buttons", [])) else None


def converse_case(say: Say, kb: KnowledgeBase, case: Case, typed: bool) -> tuple[Outcome, Conversation]:
    """The case over REST (simulation/driver.py) and its outcome: every question and fix it replied
    to (reminders too), a question redundant when asked before or implied by the symptom, resolved
    once the user says a fix worked, stalled unless resolved or handed over."""
    user = ScriptedCase(kb, case, typed)
    c = converse(say, user, MAX_REPLIES)
    asked = [s["evidence"] for s in c.replied_to if s["type"] == "question"]
    resolved = c.worked is not None
    out = Outcome(
        resolved,
        [s["fix"] for s in c.replied_to if s["type"] == "fix"],
        asked,
        sum(e in asked[:i] or e in user.stated for i, e in enumerate(asked)),
        stalled=not resolved and c.ended != "handoff",
    )
    return out, c


def run_engine(engine: Engine, case: Case) -> Run:
    """The engine alone on a case (simulation/inprocess.py)."""
    return play(engine, ScriptedCase(engine.kb, case), MAX_STEPS)


def run_fixed_order(kb: KnowledgeBase, case: Case, order=ARTICLE_TIP_ORDER) -> Outcome:
    """The article's tips in their fixed order until one works (no questions)."""
    out = Outcome(resolved=False)
    for fix in order:
        out.fixes.append(fix)
        if fix_works(kb, case.cause, fix):
            out.resolved = True
            break
    return out


def summarize(outcomes: list[Outcome] | list[Run]) -> dict[str, Any]:
    """The figures of a set of outcomes (make bench's diagnosis table)."""
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
    """The engine beside the article's fixed order, summarized."""
    runs: dict[str, Callable[[Case], Outcome | Run]] = {
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
