"""Re-estimate the knowledge base's probabilities from finished episodes.

MAP expectation-maximisation on the engine's single-fault model. Each episode is
evidence: its symptom(s), yes/no answers, the fixes that failed and the one that
worked (if any). E-step: the exact posterior over causes of each episode. M-step:
expected counts added to Dirichlet/Beta pseudo-counts centred on the knowledge
base's values, `strength` pseudo-episodes each. Abandonment is not a failure; a
fix without a reported result is no evidence. Symptom likelihoods stay fixed.

Guard rails: a value backed by fewer than `min_count` expected episodes keeps
the knowledge base's value; one run moves a value's odds by at most
`max_odds_ratio`; a link the knowledge base does not have (P = 0) stays absent.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from troubleshooter.engine import Engine

STRENGTHS = (2.0, 5.0, 10.0, 20.0, 50.0, 100.0)
_TINY = 1e-9


@dataclass(frozen=True)
class Case:
    """What one episode tells about its cause."""

    time: float
    symptoms: tuple[str, ...]
    answers: tuple[tuple[str, bool], ...]  # (evidence, yes?) for yes/no answers
    failed: tuple[str, ...]
    worked: str | None = None
    cause: str | None = None  # the true cause, when known (simulations only)


def cases_of(rows: Iterable[dict[str, Any]], engine: Engine) -> list[Case]:
    """Episodes (analytics rows) as cases; those with nothing to learn from are left out."""
    out = []
    evidence, fixes, known = engine.evidence_index, engine.fix_index, engine.symptom_index
    for r in rows:
        answers = {}
        for sid in r.get("symptoms") or []:  # what a symptom implies counts, as in the engine
            if sid in engine.kb.symptoms:
                answers.update(engine.kb.symptoms[sid].implies)
        answers.update({q["evidence"]: q["answer"] for q in r.get("questions") or []})
        answers.update(r.get("volunteered") or {})
        yes_no = tuple((e, v == "yes") for e, v in answers.items() if v in ("yes", "no") and e in evidence)
        failed = tuple(f["fix"] for f in r.get("fixes") or [] if f.get("outcome") == "failed" and f["fix"] in fixes)
        failed += tuple(f for f in r.get("told") or [] if f in fixes and f not in failed)  # done before, no help
        worked = r.get("resolved_by") if r.get("resolved_by") in fixes else None
        symptoms = tuple(s for s in r.get("symptoms") or [] if s in known)
        if symptoms and (yes_no or failed or worked):
            started = r.get("started")
            out.append(
                Case(float(started) if isinstance(started, (int, float)) else 0.0, symptoms, yes_no, failed, worked)
            )
    return out


@dataclass
class Params:
    prior: np.ndarray  # C
    p_yes: np.ndarray  # E x C
    p_fix: np.ndarray  # F x C

    @classmethod
    def of(cls, engine: Engine) -> Params:
        return cls(engine.prior.copy(), engine.p_yes.copy(), engine.p_fix.copy())


@dataclass
class Data:
    """Cases as matrices over the engine's ids; identical cases share a row (`weight` of them)."""

    sym: np.ndarray  # N x C: log P(symptoms | cause), fixed
    yes: np.ndarray  # N x E: 1 where answered yes
    no: np.ndarray  # N x E
    failed: np.ndarray  # N x F
    worked: np.ndarray  # N x F
    weight: np.ndarray | None = None  # N: cases per row (None: one each)

    @classmethod
    def of(cls, engine: Engine, cases: list[Case]) -> Data:
        groups: dict[tuple, int] = {}
        for case in cases:
            key = (case.symptoms, tuple(sorted(case.answers)), tuple(sorted(case.failed)), case.worked)
            groups[key] = groups.get(key, 0) + 1
        unique = [Case(0.0, k[0], k[1], k[2], k[3]) for k in groups]
        n, e, f, c = len(unique), len(engine.evidence_ids), len(engine.fix_ids), len(engine.causes)
        d = cls(
            np.zeros((n, c)),
            np.zeros((n, e)),
            np.zeros((n, e)),
            np.zeros((n, f)),
            np.zeros((n, f)),
            np.array(list(groups.values()), dtype=float),
        )
        log_sym = np.log(np.maximum(engine.symptom_lik, _TINY))
        symptom, evidence, fix = engine.symptom_index, engine.evidence_index, engine.fix_index
        for i, case in enumerate(unique):
            for s in case.symptoms:
                d.sym[i] += log_sym[symptom[s]]
            for eid, yes in case.answers:
                (d.yes if yes else d.no)[i, evidence[eid]] = 1.0
            for fid in case.failed:
                d.failed[i, fix[fid]] = 1.0
            if case.worked:
                d.worked[i, fix[case.worked]] = 1.0
        return d

    def __len__(self) -> int:
        """The number of cases (not rows)."""
        return int(self.weights.sum())

    @property
    def weights(self) -> np.ndarray:
        return self.weight if self.weight is not None else np.ones(self.sym.shape[0])


def log_joint(p: Params, d: Data) -> np.ndarray:
    """N x C: log P(cause, everything observed in the episode)."""
    lp_fix = np.log(np.maximum(p.p_fix, _TINY))
    ln_fix = np.log(np.maximum(1.0 - p.p_fix, _TINY))
    return (
        np.log(np.maximum(p.prior, _TINY))[None, :]
        + d.sym
        + d.yes @ np.log(p.p_yes)
        + d.no @ np.log(1.0 - p.p_yes)
        + d.failed @ ln_fix
        + d.worked @ lp_fix
    )


def posterior(p: Params, d: Data) -> tuple[np.ndarray, float]:
    """(N x C responsibilities, total log-likelihood of the episodes)."""
    lj = log_joint(p, d)
    top = lj.max(axis=1, keepdims=True)
    w = np.exp(lj - top)
    z = w.sum(axis=1, keepdims=True)
    return w / z, float(((np.log(z) + top)[:, 0] * d.weights).sum())


@dataclass
class Counts:
    """Expected episodes behind each value (the evidence a value rests on)."""

    prior: np.ndarray
    p_yes: np.ndarray
    p_fix: np.ndarray


FAMILIES = ("prior", "answers", "fixes")


def em(
    base: Params, d: Data, strength: float | dict[str, float], iterations: int = 100, tol: float = 1e-5
) -> tuple[Params, Counts]:
    """MAP estimate with pseudo-counts `strength` x the base values (one strength, or one per
    family of values: prior, answers, fixes)."""
    s = strength if isinstance(strength, dict) else dict.fromkeys(FAMILIES, float(strength))
    p = Params(base.prior.copy(), base.p_yes.copy(), base.p_fix.copy())
    linked = base.p_fix > 0
    last = -math.inf
    for _ in range(iterations):
        r, ll = posterior(p, d)
        r = r * d.weights[:, None]  # expected cases per row and cause
        seen = (d.yes + d.no).T @ r  # E x C
        tried = (d.failed + d.worked).T @ r  # F x C
        p.prior = (s["prior"] * base.prior + r.sum(axis=0)) / (s["prior"] + len(d))
        p.p_yes = np.clip((s["answers"] * base.p_yes + d.yes.T @ r) / (s["answers"] + seen), 0.01, 0.99)
        p.p_fix = np.where(linked, (s["fixes"] * base.p_fix + d.worked.T @ r) / (s["fixes"] + tried), 0.0)
        if ll - last < tol * max(1.0, abs(ll)):
            break
        last = ll
    r = posterior(p, d)[0] * d.weights[:, None]
    return p, Counts(r.sum(axis=0), (d.yes + d.no).T @ r, (d.failed + d.worked).T @ r)


def guard(base: Params, p: Params, counts: Counts, min_count: float, max_odds_ratio: float) -> Params:
    """Too little data: the base value. Otherwise odds moved at most `max_odds_ratio`."""

    def bound(b: np.ndarray, v: np.ndarray, n: np.ndarray) -> np.ndarray:
        lo = b / (b + (1 - b) * max_odds_ratio)
        hi = b * max_odds_ratio / (b * max_odds_ratio + (1 - b))
        out = np.clip(v, np.minimum(lo, hi), np.maximum(lo, hi))
        return np.where((n >= min_count) & (b > 0) & (b < 1), out, b)

    prior = bound(base.prior, p.prior, counts.prior)
    kept = counts.prior < min_count  # these keep the base value; the others share the rest of the mass
    moved = prior[~kept].sum()
    if moved > 0:
        prior[~kept] *= (1.0 - base.prior[kept].sum()) / moved
    return Params(prior, bound(base.p_yes, p.p_yes, counts.p_yes), bound(base.p_fix, p.p_fix, counts.p_fix))


@dataclass
class Learned:
    params: Params
    counts: Counts
    strength: dict[str, float]  # per family of values
    validation: float = 0.0  # held-out log-likelihood per episode
    episodes: int = 0


def learn(
    engine: Engine,
    cases: list[Case],
    strengths: Iterable[float] = STRENGTHS,
    min_count: float = 5.0,
    max_odds_ratio: float = 4.0,
    holdout: float = 0.2,
) -> Learned:
    """Choose each family's prior strength on the latest `holdout` share of the cases (by time;
    one pass of coordinate ascent on the held-out log-likelihood), then learn from all of them."""
    if not cases:
        raise ValueError("no episodes with anything to learn from (a symptom and an answer or a fix result)")
    base = Params.of(engine)
    ordered = sorted(cases, key=lambda c: c.time)
    cut = max(1, int(len(ordered) * (1 - holdout)))
    train, held = Data.of(engine, ordered[:cut]), Data.of(engine, ordered[cut:])

    def score(s: dict[str, float]) -> float:
        if not len(held):
            return 0.0
        p, counts = em(base, train, s)
        return posterior(guard(base, p, counts, min_count, max_odds_ratio), held)[1] / len(held)

    chosen = dict.fromkeys(FAMILIES, 20.0)
    best = score(chosen)
    for family in FAMILIES:
        for s in strengths:
            trial = {**chosen, family: float(s)}
            value = score(trial)
            if value > best + 1e-9:
                chosen, best = trial, value
    p, counts = em(base, Data.of(engine, ordered), chosen)
    return Learned(guard(base, p, counts, min_count, max_odds_ratio), counts, chosen, best, len(ordered))


def proposal(engine: Engine, learned: Learned, min_change: float = 0.005) -> dict[str, Any]:
    """The values that changed, with the expected episodes behind each, as knowledge/learned.yml."""
    base, p, n = Params.of(engine), learned.params, learned.counts
    scale = sum(engine.kb.causes[c].prior for c in engine.causes)  # priors are written on the knowledge base's scale
    causes: dict[str, dict[str, Any]] = {}
    for ci, cid in enumerate(engine.causes):
        entry: dict[str, Any] = {}
        if abs(p.prior[ci] - base.prior[ci]) >= min_change * base.prior[ci] + 1e-4:
            entry["prior"] = {
                "value": _r(p.prior[ci] * scale),
                "was": _r(engine.kb.causes[cid].prior),
                "episodes": _r(n.prior[ci], 1),
            }
        for kind, ids, new, old, cnt in (
            ("evidence", engine.evidence_ids, p.p_yes, base.p_yes, n.p_yes),
            ("fixes", engine.fix_ids, p.p_fix, base.p_fix, n.p_fix),
        ):
            changed = {
                i: {"value": _r(new[k, ci]), "was": _r(old[k, ci]), "episodes": _r(cnt[k, ci], 1)}
                for k, i in enumerate(ids)
                if abs(new[k, ci] - old[k, ci]) >= min_change
            }
            if changed:
                entry[kind] = changed
        if entry:
            causes[cid] = entry
    return {"episodes": learned.episodes, "prior_strength": learned.strength, "causes": causes}


def _r(x: float, nd: int = 4) -> float:
    return round(float(x), nd)


def largest_changes(prop: dict[str, Any], top: int = 15) -> list[tuple[str, float, float, float]]:
    """(what, was, now, episodes), largest absolute change first."""
    rows = []
    for cid, entry in prop["causes"].items():
        if "prior" in entry:
            v = entry["prior"]
            rows.append((f"prior of {cid}", v["was"], v["value"], v["episodes"]))
        for kind, label in (("evidence", "P(yes to {} ∣ {})"), ("fixes", "P({} resolves ∣ {})")):
            for i, v in (entry.get(kind) or {}).items():
                rows.append((label.format(i, cid), v["was"], v["value"], v["episodes"]))
    return sorted(rows, key=lambda r: -abs(r[2] - r[1]))[:top]
