"""How well an engine's numbers match outcomes: predicted P(suggested fix resolves)
against what happened, replays of finished episodes, and both before and after learning."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from learning.estimate import Case, learn, proposal
from simulation.inprocess import play
from simulation.user import SimulatedUser
from troubleshooter.engine import Engine
from troubleshooter.knowledge import KnowledgeBase, with_learned
from troubleshooter.state import Diagnosis

_EPS = 1e-6


def fix_predictions(engine: Engine, cases: list[Case]) -> tuple[np.ndarray, np.ndarray]:
    """(predicted, happened) for every fix with a reported result, in the order tried: P(it
    resolves | symptoms, the episode's answers, the fixes that failed before it)."""
    pred, out = [], []
    for case in cases:
        d = _state(case)
        for fid in [*case.failed, *([case.worked] if case.worked else [])]:
            pred.append(min(max(engine.fix_probability(d, fid), 0.0), 1.0))
            out.append(1.0 if fid == case.worked else 0.0)
            d.failed.append(fid)
    return np.array(pred), np.array(out)


def _state(case: Case) -> Diagnosis:
    """The diagnosis before any fix: the episode's symptoms (as said) and answers."""
    return Diagnosis(
        symptoms=list(case.symptoms),
        reports=[{s: 1.0} for s in case.symptoms],
        status="active",
        evidence={e: "yes" if y else "no" for e, y in case.answers},
    )


def brier(p: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean((p - y) ** 2)) if len(p) else math.nan


def log_loss(p: np.ndarray, y: np.ndarray) -> float:
    q = np.clip(p, _EPS, 1 - _EPS)
    return float(-np.mean(y * np.log(q) + (1 - y) * np.log(1 - q))) if len(p) else math.nan


def reliability(p: np.ndarray, y: np.ndarray, bins: int = 10) -> list[tuple[float, float, int]]:
    """Equal-count bins: (mean predicted, observed rate, size) each."""
    if not len(p):
        return []
    order = np.argsort(p, kind="stable")
    return [(float(p[idx].mean()), float(y[idx].mean()), len(idx)) for idx in np.array_split(order, bins) if len(idx)]


def ece(p: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error over equal-count bins."""
    table = reliability(p, y, bins)
    n = sum(size for _, _, size in table)
    return float(sum(size * abs(mp - rate) for mp, rate, size in table) / n) if n else math.nan


def implied_cause(engine: Engine, fix: str) -> str:
    """The cause a resolving fix points to: the one it resolves most reliably (then the likelier one)."""
    return max(engine.causes, key=lambda c: (engine.kb.causes[c].fixes.get(fix, 0.0), engine.kb.causes[c].prior))


def top1_accuracy(engine: Engine, cases: list[Case], truth: Engine | None = None) -> float:
    """How often the top cause before any fix (symptoms and answers) is the true cause, or else the
    cause implied by the resolving fix (read from `truth`'s knowledge base, default `engine`'s)."""
    judge = truth or engine
    hits = n = 0
    for case in cases:
        target = case.cause or (implied_cause(judge, case.worked) if case.worked else None)
        if target is None:
            continue
        hits += next(iter(engine.belief(_state(case)))) == target
        n += 1
    return hits / n if n else math.nan


@dataclass
class Replay:
    resolved: float
    mean_fixes: float
    mean_questions: float
    cases: int


class ReplayedEpisode(SimulatedUser):
    """A finished episode as a user: questions answered as in the episode ("not sure" when it has
    no answer), the episode's resolving fix works and every other fix fails."""

    def __init__(self, case: Case):
        self.case, self.symptoms = case, case.symptoms
        self._answers = {e: ("yes" if y else "no") for e, y in case.answers}

    def value(self, evidence: str) -> str:
        return self._answers.get(evidence, "unsure")

    def fix_works(self, fix: str) -> bool:
        return fix == self.case.worked


def replay(engine: Engine, cases: list[Case], max_steps: int = 30) -> Replay:
    """Replay resolved episodes (simulation/inprocess.py) as ReplayedEpisode users (untried
    fixes are assumed not to work)."""
    runs = [play(engine, ReplayedEpisode(c), max_steps) for c in cases if c.worked]
    n = len(runs)
    if not n:
        return Replay(math.nan, math.nan, math.nan, 0)
    return Replay(
        sum(r.resolved for r in runs) / n,
        sum(len(r.fixes) for r in runs) / n,
        sum(len(r.questions) for r in runs) / n,
        n,
    )


def evaluate(kb: KnowledgeBase, cases: list[Case], split: float = 0.7) -> dict[str, Any]:
    """Learn on the earlier `split` of the cases, compare before/after on the later ones."""
    ordered = sorted(cases, key=lambda c: c.time)
    cut = int(len(ordered) * split)
    train, test = ordered[:cut], ordered[cut:]
    before = Engine(kb)
    learned = learn(before, train)
    after = Engine(with_learned(kb, proposal(before, learned)))
    out: dict[str, Any] = {"train": len(train), "test": len(test), "strength": learned.strength}
    for name, eng in (("before", before), ("after", after)):
        p, y = fix_predictions(eng, test)
        r = replay(eng, test)
        out[name] = {
            "brier": brier(p, y),
            "ece": ece(p, y),
            "log_loss": log_loss(p, y),
            "reliability": reliability(p, y),
            "predictions": len(p),
            "top1": top1_accuracy(eng, test, truth=before),
            "mean_fixes": r.mean_fixes,
            "mean_questions": r.mean_questions,
            "replayed": r.cases,
        }
    return out
