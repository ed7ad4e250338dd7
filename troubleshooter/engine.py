"""Decision-theoretic troubleshooting over the cause knowledge base.

Single-fault Bayesian belief over causes; fixes ordered by efficiency
P(resolves | evidence) / cost (Heckerman, Breese & Rommelse 1995); a question
is asked only when it lowers the expected cost of repair (SACSO rule,
Jensen et al. 2001). Hand-over to a person is a terminal action of cost
`handoff_cost` that always resolves, so the stop rule falls out of the same
ordering: hand over once no fix is more efficient than a person.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from .knowledge import ANSWERS, KnowledgeBase
from .state import Diagnosis

_EPS = 1e-12
_MAX_FIX_STEPS = 12  # horizon of the expected-cost look-ahead
_SCREEN = 8  # questions screened by information gain before the exact test
POINTS_TO = 2.0  # facts point to a cause when they are this many times likelier under it than under the rest
SPEAKS = 1.5  # an observation speaks for (against) a cause this many times likelier (less likely) under it
PARTIAL_LEAK = 0.05  # P(a fix helps in part | a cause it does not resolve): "better" is weak evidence too


@dataclass(frozen=True)
class Step:
    """What to do next: ask a question, suggest a fix, or hand over."""

    kind: str  # "question" | "fix" | "handoff"
    id: str | None = None  # evidence or fix id
    rank: int = 0  # fix rank among the remaining fixes (1 = best)
    probability: float = 0.0  # P(fix resolves | evidence)
    value: float = 0.0  # why this step: a question's expected saving, a fix's efficiency


class Engine:
    """The model and the decisions over one knowledge base.

    Public model, for learning and analytics (read them, do not change them): `causes`,
    `evidence_ids`, `fix_ids`, `symptom_ids` (the ids in the order of the arrays' rows and
    columns; `cause_index`, `evidence_index`, `fix_index`, `symptom_index` map an id to its
    position), `prior` (C), `symptom_lik` (S x C: P(symptom | cause)), `p_yes` (E x C:
    P(yes | cause)), `p_fix` (F x C: P(fix resolves | cause)), `q_cost` (E), `fix_cost` (F).
    """

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        s = kb.settings
        self.handoff_cost = float(s.get("handoff_cost", 15))
        self.max_questions = int(s.get("max_questions", 8))
        self.questions_before_fix = int(s.get("questions_before_fix", self.max_questions))
        self.margin = float(s.get("question_margin", 0.02))
        # Beta prior on "this user can answer a question" (yes/no rather than "not sure").
        self.answerable_prior = tuple(float(x) for x in s.get("answerable_prior", (4, 1)))
        floor = float(s.get("symptom_floor", 0.02))

        self.causes = list(kb.causes)
        self.evidence_ids = list(kb.evidence)
        self.fix_ids = list(kb.fixes)
        self._c = {c: i for i, c in enumerate(self.causes)}
        self._e = {e: i for i, e in enumerate(self.evidence_ids)}
        self._f = {f: i for i, f in enumerate(self.fix_ids)}
        self.symptom_ids = list(kb.symptoms)
        self._s = {s_: i for i, s_ in enumerate(self.symptom_ids)}

        prior = np.array([kb.causes[c].prior for c in self.causes])
        self.prior = prior / prior.sum()
        # P(symptom | cause), each cause's column normalised over the symptoms.
        sym = np.full((len(self.symptom_ids), len(self.causes)), floor)
        for ci, c in enumerate(self.causes):
            cause = kb.causes[c]
            if cause.leak:
                sym[:, ci] = 1.0
            for sid, w in cause.symptoms.items():
                sym[self._s[sid], ci] = max(w, floor)
        self.symptom_lik = sym / sym.sum(axis=0, keepdims=True)
        # P(yes | cause) per question.
        yes = np.array([[kb.evidence[e].base_rate] * len(self.causes) for e in self.evidence_ids])
        for ci, c in enumerate(self.causes):
            for eid, p in kb.causes[c].evidence.items():
                yes[self._e[eid], ci] = p
        self.p_yes = np.clip(yes, 0.01, 0.99)
        self.q_cost = np.array([kb.evidence[e].cost for e in self.evidence_ids])
        fix = np.zeros((len(self.fix_ids), len(self.causes)))
        for ci, c in enumerate(self.causes):
            for fid, p in kb.causes[c].fixes.items():
                fix[self._f[fid], ci] = p
        self.p_fix = fix
        self.fix_cost = np.array([kb.fixes[f].cost for f in self.fix_ids])

    # ----- ids --------------------------------------------------------------
    @property
    def cause_index(self) -> Mapping[str, int]:
        """Cause id -> its column in `prior`, `symptom_lik`, `p_yes` and `p_fix` (read-only)."""
        return MappingProxyType(self._c)

    @property
    def evidence_index(self) -> Mapping[str, int]:
        """Evidence (question) id -> its row in `p_yes` and `q_cost` (read-only); `in` tells a known id."""
        return MappingProxyType(self._e)

    @property
    def fix_index(self) -> Mapping[str, int]:
        """Fix id -> its row in `p_fix` and `fix_cost` (read-only); `in` tells a known id."""
        return MappingProxyType(self._f)

    @property
    def symptom_index(self) -> Mapping[str, int]:
        """Symptom id -> its row in `symptom_lik` (read-only); `in` tells a known id."""
        return MappingProxyType(self._s)

    # ----- belief -------------------------------------------------------
    def _weights(self, d: Diagnosis) -> np.ndarray:
        """Unnormalised P(cause, observations, every tried fix failed)."""
        w = self.prior.copy()
        for report in d.reports:
            w = w * self._report_likelihood(report)
        for eid, value in self.observed(d).items():
            if eid in self._e and value != "unsure":
                w = w * self._answer_likelihood(eid, value)
        for fid in (*d.failed, *d.told):
            if fid in self._f:
                w = w * (1.0 - self.p_fix[self._f[fid]])
        for fid in d.partial:  # it helped: the causes it addresses gain, as by a resolution less sure
            if fid in self._f:
                w = w * (self.p_fix[self._f[fid]] + PARTIAL_LEAK)
        return w

    def _report_likelihood(self, report: dict[str, float]) -> np.ndarray:
        """Virtual evidence of one soft report: with probability q_s the user
        meant symptom s; the mass not on any symptom carries no information."""
        lik = np.zeros(len(self.causes))
        mass = 0.0
        for sid, q in report.items():
            if sid in self._s and q > 0:
                lik += q * self.symptom_lik[self._s[sid]]
                mass += q
        return lik + max(0.0, 1.0 - mass) / len(self.symptom_ids)

    def observed(self, d: Diagnosis) -> dict[str, str]:
        """Answers and stated facts, over what confirmed symptoms imply."""
        out = {}
        for sid in d.symptoms:
            if sid in self.kb.symptoms:
                out.update(self.kb.symptoms[sid].implies)
        out.update(d.evidence)
        return out

    def _posterior(self, d: Diagnosis) -> np.ndarray:
        """P(cause | everything in `d`), in the order of `causes`."""
        w = self._weights(d)
        return w / max(w.sum(), _EPS)

    def belief(self, d: Diagnosis) -> dict[str, float]:
        p = self._posterior(d)
        order = np.argsort(-p, kind="stable")
        return {self.causes[i]: float(p[i]) for i in order}

    def belief_given_fix(self, d: Diagnosis, fix: str) -> dict[str, float]:
        """P(cause | everything in `d`, and `fix` resolved the problem), likeliest first (ties in
        the order of `belief`): what a diagnosis ended by a fix that worked points to. The
        belief without it when `fix` is unknown or no cause with any weight is fixed by it."""
        i = self._f.get(fix)
        p = self._posterior(d)
        first = np.argsort(-p, kind="stable")
        if i is None:
            return {self.causes[k]: float(p[k]) for k in first}
        q = (p * self.p_fix[i])[first]
        total = sum(q.tolist())  # summed in belief order, as a reader of `belief` would
        if total <= 0:
            return {self.causes[k]: float(p[k]) for k in first}
        order = np.argsort(-q, kind="stable")
        return {self.causes[first[k]]: float(q[k]) / total for k in order}

    # ----- fixes ----------------------------------------------------------
    def _unavailable(self, d: Diagnosis) -> np.ndarray:
        mask = np.zeros(len(self.fix_ids), dtype=bool)
        for fid in (*d.failed, *d.skipped, *d.partial, *d.told):
            if fid in self._f:
                mask[self._f[fid]] = True
        return mask

    def _resolves(self, d: Diagnosis) -> np.ndarray:
        """P(fix resolves | d) for every fix (F), tried ones included."""
        return self.p_fix @ self._posterior(d)

    def fix_probability(self, d: Diagnosis, fix: str) -> float:
        """P(`fix` resolves | everything in `d`): the belief over causes weighted by how
        reliably the fix resolves each (the number `fix_ranking` and a fix step carry)."""
        self.check_fix(fix)
        return float(self._resolves(d)[self._f[fix]])

    def fix_ranking(self, d: Diagnosis) -> list[tuple[str, float, float]]:
        """Remaining fixes as (id, P(resolves | evidence), efficiency), best first."""
        p = self._resolves(d)
        eff = p / self.fix_cost
        used = self._unavailable(d)
        order = np.lexsort((np.arange(len(eff)), -eff))
        return [(self.fix_ids[i], float(p[i]), float(eff[i])) for i in order if not used[i] and p[i] > 0]

    def expected_cost(self, W: np.ndarray, used: np.ndarray) -> np.ndarray:
        """Expected cost of repair for each row of unnormalised beliefs W (B x C),
        following the efficiency order adaptively, ending with hand-over."""
        W = np.array(W, dtype=float, copy=True)
        used = np.array(used, dtype=bool, copy=True)
        rows = np.arange(W.shape[0])
        total = np.zeros(W.shape[0])
        norm = np.maximum(W.sum(axis=1), _EPS)
        W /= norm[:, None]
        active = np.ones(W.shape[0], dtype=bool)
        for _ in range(_MAX_FIX_STEPS):
            mass = W.sum(axis=1)
            eff = (W @ self.p_fix.T) / self.fix_cost
            eff[used] = -1.0
            best = np.argmax(eff, axis=1)
            stop = active & ((eff[rows, best] * self.handoff_cost <= mass) | (mass < 1e-6))
            total[stop] += mass[stop] * self.handoff_cost
            active &= ~stop
            if not active.any():
                return total
            go = rows[active]
            total[go] += mass[go] * self.fix_cost[best[go]]
            W[go] *= 1.0 - self.p_fix[best[go]]
            used[go, best[go]] = True
        total[active] += W[active].sum(axis=1) * self.handoff_cost
        return total

    # ----- questions ------------------------------------------------------
    def candidate_questions(self, d: Diagnosis) -> list[str]:
        if len(d.asked) >= self.max_questions:
            return []
        if not (d.failed or d.skipped or d.partial) and len(d.asked) >= self.questions_before_fix:
            return []  # enough asked before suggesting anything (fixes the user had done count not): a fix first
        known = self.observed(d)
        return [e for e in self.evidence_ids if e not in known and e not in d.asked]

    def _question_value(self, d: Diagnosis, w: np.ndarray) -> tuple[str | None, float]:
        """Best question and its saving ECR(e) - (C_Q + sum_q P(q|e) ECR(e,q))."""
        cands = self.candidate_questions(d)
        if not cands:
            return None, 0.0
        p = w / max(w.sum(), _EPS)
        idx = np.array([self._e[e] for e in cands])
        py = self.p_yes[idx]  # Q x C
        p_yes = py @ p  # Q
        post_yes = py * p
        post_no = (1 - py) * p

        # Screen by expected entropy of the posterior, then test exactly.
        def entropy(m):
            m = m / np.maximum(m.sum(axis=1, keepdims=True), _EPS)
            return -(m * np.log(np.maximum(m, _EPS))).sum(axis=1)

        exp_h = p_yes * entropy(post_yes) + (1 - p_yes) * entropy(post_no)
        keep = np.lexsort((np.arange(len(idx)), exp_h))[:_SCREEN]
        used = self._unavailable(d)
        batch = np.vstack([p[None, :], post_yes[keep], post_no[keep]])
        ecr = self.expected_cost(batch, np.repeat(used[None, :], batch.shape[0], axis=0))
        now, e_yes, e_no = ecr[0], ecr[1 : 1 + len(keep)], ecr[1 + len(keep) :]
        # A "not sure" changes nothing: the saving only comes when the user can answer.
        informed = p_yes[keep] * e_yes + (1 - p_yes[keep]) * e_no
        saving = self.answerable(d) * (now - informed) - self.q_cost[idx[keep]]
        best = int(np.argmax(saving))
        return cands[int(keep[best])], float(saving[best])

    def answerable(self, d: Diagnosis) -> float:
        """P(the next answer is yes or no), from this user's answers so far."""
        a, b = self.answerable_prior
        answers = [d.evidence.get(e) for e in d.asked if e != d.pending_question]
        known = sum(v in ("yes", "no") for v in answers)
        return (a + known) / (a + b + len(answers))

    # ----- the decision ---------------------------------------------------
    def next_step(self, d: Diagnosis, questions: bool = True) -> Step:
        """Ask, suggest the most efficient fix, or hand over (questions=False: no asking)."""
        if questions:
            qid, saving = self._question_value(d, self._weights(d))
            if qid is not None and saving > self.margin:
                return Step("question", qid, value=saving)
        ranking = self.fix_ranking(d)
        if not ranking or ranking[0][2] * self.handoff_cost <= 1.0:
            return Step("handoff")
        fid, p, eff = ranking[0]
        return Step("fix", fid, rank=d.next_rank, probability=p, value=eff)

    # ----- updates --------------------------------------------------------
    def start(self, symptom: str | dict[str, float] | None = None, stated: dict[str, str] | None = None) -> Diagnosis:
        """A fresh diagnosis from a report (a confirmed symptom id or a soft
        distribution over symptoms) and facts already stated."""
        d = Diagnosis(status="active")
        if symptom:
            self.report(d, symptom)
        for eid, value in (stated or {}).items():
            self.answer(d, eid, value)
        return d

    def report(self, d: Diagnosis, symptom: str | dict[str, float]) -> None:
        """Add a report: a symptom id is certain (its `implies` facts apply);
        a distribution is soft evidence only."""
        if isinstance(symptom, str):
            if symptom not in self._s:
                raise ValueError(f"unknown symptom id {symptom!r}")
            if symptom not in d.symptoms:
                d.symptoms.append(symptom)
            d.reports.append({symptom: 1.0})
            return
        dist = {s: float(q) for s, q in symptom.items() if s in self._s and q > 0}
        total = sum(dist.values())
        if total > 1.0:
            dist = {s: q / total for s, q in dist.items()}
        if dist:
            d.reports.append({s: round(q, 4) for s, q in dist.items()})

    def likely_symptom(self, d: Diagnosis, floor: float = 0.3) -> str | None:
        """The confirmed symptom, else the one the reports weigh most (if any weighs enough)."""
        if d.symptoms:
            return d.symptoms[-1]
        weight: dict[str, float] = {}
        for report in d.reports:
            for sid, q in report.items():
                weight[sid] = weight.get(sid, 0.0) + q
        best = max(weight, key=weight.get, default=None)
        return best if best is not None and weight[best] / max(len(d.reports), 1) >= floor else None

    def answer(self, d: Diagnosis, evidence: str, value: str) -> None:
        """Record an answer (given or volunteered); a later answer replaces an earlier one.
        An answer that contradicts what a symptom implies ("no, it's everyone") makes that
        symptom uncertain: no longer taken as said, and its report weighs half (the report
        or the answer may be the misreading; halving did better than dropping it on the
        wild `check` users)."""
        self.check_answer(evidence, value)
        d.evidence[evidence] = value
        contradicted = [s for s in d.symptoms if self.kb.symptoms[s].implies.get(evidence) not in (None, value)]
        for sid in contradicted if value != "unsure" else []:
            d.symptoms.remove(sid)
            d.reports = [{s: (q * 0.5 if s == sid else q) for s, q in r.items()} for r in d.reports]
        if d.pending_question == evidence:
            d.pending = None

    def unask(self, d: Diagnosis) -> str | None:
        """Withdraw the pending question unanswered (it may be asked again)."""
        qid = d.pending_question
        if qid is not None:
            if d.asked and d.asked[-1] == qid:
                d.asked.pop()
            d.pending = None
        return qid

    def fix_result(self, d: Diagnosis, fix: str, worked: bool, partly: bool = False) -> None:
        """A fix worked, failed, or (`partly`) helped without solving it: the causes it addresses
        become likelier and the complementary fixes for them come next."""
        self.check_fix(fix)
        d.pending = None
        d.told = [f for f in d.told if f != fix]  # how it went when suggested is the last word
        if worked:  # also a correction of an earlier "it didn't work"
            d.status, d.resolved_by = "resolved", fix
            d.failed = [f for f in d.failed if f != fix]
        elif partly:
            if fix not in d.partial:
                d.partial.append(fix)
        elif fix not in d.failed:
            d.failed.append(fix)

    def tell(self, d: Diagnosis, fixes: list[str]) -> None:
        """Fixes the user says they had done without help, unasked: not suggested, and the causes
        they address less likely, as after a failed suggestion (they do not end the questions before
        the first suggestion). The fix that waits or solved it, and any already told how it went, are
        left alone."""
        heard = (d.pending_fix, d.resolved_by, *d.failed, *d.skipped, *d.partial, *d.told)
        for fid in fixes:
            if fid in self._f and fid not in heard:
                d.told.append(fid)

    def skip_fix(self, d: Diagnosis, fix: str) -> None:
        self.check_fix(fix)
        d.pending = None
        if fix not in d.skipped and fix not in d.failed:
            d.skipped.append(fix)

    def advance(self, d: Diagnosis, questions: bool = True) -> Step:
        """Choose the next step and mark it pending in the diagnosis."""
        step = self.next_step(d, questions)
        d.reminders = 0
        if step.kind == "question":
            d.asked.append(step.id)
            d.pending = {"type": "question", "evidence": step.id}
        elif step.kind == "fix":
            d.pending = {"type": "fix", "fix": step.id, "kind": self.kb.fixes[step.id].kind}
        else:
            d.pending, d.status = None, "handed_over"
        return step

    def check_answer(self, evidence: str, value: str) -> None:
        if evidence not in self._e:
            raise ValueError(f"unknown evidence id {evidence!r}")
        if value not in ANSWERS:
            raise ValueError(f"answer must be one of {ANSWERS}, got {value!r}")

    def check_fix(self, fix: str) -> None:
        if fix not in self._f:
            raise ValueError(f"unknown fix id {fix!r}")

    # ----- explanation ----------------------------------------------------
    def explain(self, d: Diagnosis, top: int = 3) -> list[dict[str, Any]]:
        """Top causes, each with the observations that point to it."""
        belief = self.belief(d)
        observed = {e: v for e, v in self.observed(d).items() if v != "unsure" and e in self._e}
        out = []
        for cid, prob in list(belief.items())[:top]:
            ci = self._c[cid]
            support = [
                {"evidence": eid, "answer": value}
                for eid, value in observed.items()
                if self._against_the_rest(self._answer_likelihood(eid, value))[ci] > SPEAKS
            ]
            out.append(
                {
                    "cause": cid,
                    "probability": round(prob, 4),
                    "supported_by": support,
                    "ruled_out_fixes": [f for f in (*d.told, *d.failed) if self.p_fix[self._f[f], ci] > 0],
                }
            )
        return out

    def pointed_to(self, facts: dict[str, str]) -> str | None:
        """The cause stated facts point to most ("is it because I'm 14?"): the one under which they are
        likeliest against the other causes (weighted by their priors), if at least POINTS_TO times."""
        lik = np.ones(len(self.causes))
        for eid, value in facts.items():
            if eid in self._e and value in ("yes", "no"):
                lik = lik * self._answer_likelihood(eid, value)
        ratio = self._against_the_rest(lik)
        best = int(np.argmax(ratio))
        return self.causes[best] if ratio[best] >= POINTS_TO else None

    def against(self, d: Diagnosis, cid: str) -> tuple[str, str, str] | None:
        """What observed speaks most against cause `cid` ("is it because I'm 14?" when messages fail with
        a red mark, and under-16 accounts have no message button): ("symptom", id, ""), ("evidence", id,
        answer) or ("fix", id, "") for a fix that failed; None when nothing is SPEAKS times likelier under
        the other causes."""
        ci = self._c[cid]
        seen: list[tuple[tuple[str, str, str], np.ndarray]] = []
        for report in d.reports:
            named = max(report, key=report.get, default=None)
            if named in self._s:
                seen.append((("symptom", named, ""), self._report_likelihood(report)))
        for eid, value in d.evidence.items():  # what the user told (a symptom's implied facts: the symptom)
            if eid in self._e and value in ("yes", "no"):
                seen.append((("evidence", eid, value), self._answer_likelihood(eid, value)))
        for fid in (*d.failed, *d.told):
            if fid in self._f:
                seen.append((("fix", fid, ""), 1.0 - self.p_fix[self._f[fid]]))
        ratios = [(self._against_the_rest(lik)[ci], what) for what, lik in seen]
        ratio, what = min(ratios, default=(1.0, None), key=lambda pair: pair[0])
        return what if ratio * SPEAKS < 1.0 else None

    def _answer_likelihood(self, eid: str, value: str) -> np.ndarray:
        """P(answer | cause) for every cause."""
        row = self.p_yes[self._e[eid]]
        return row if value == "yes" else 1.0 - row

    def _against_the_rest(self, lik: np.ndarray) -> np.ndarray:
        """For every cause, a likelihood under it over its average under the other causes (prior-weighted)."""
        rest = (lik @ self.prior - lik * self.prior) / np.maximum(1.0 - self.prior, _EPS)
        return lik / np.maximum(rest, _EPS)

    def question_purpose(self, d: Diagnosis, eid: str, top: int = 2) -> list[tuple[str, float]]:
        """The likeliest causes whose chance the answer to `eid` changes most (why it is asked)."""
        i = self._e[eid]
        base = self.kb.evidence[eid].base_rate
        telling = [(c, p) for c, p in self.belief(d).items() if abs(self.p_yes[i, self._c[c]] - base) >= 0.25]
        return telling[:top]

    def top_causes(self, d: Diagnosis, top: int = 3) -> list[dict[str, Any]]:
        return [{"cause": c, "probability": round(p, 4)} for c, p in list(self.belief(d).items())[:top]]

    def handoff_summary(self, d: Diagnosis) -> dict[str, Any]:
        """What a person taking over needs: the problem (the likely symptom and the user's own words),
        only the facts the user stated or answered, the fixes that failed and the likely causes."""
        return {
            "symptom": self.likely_symptom(d),
            "said": list(d.said),
            "evidence": dict(d.evidence),
            "fixes_tried": [*d.told, *d.failed],
            "fixes_helped_in_part": list(d.partial),
            "top_causes": self.top_causes(d),
        }
