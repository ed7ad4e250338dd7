"""The known-truth demonstration of `make learn`'s report: simulated users whose true
probabilities differ from the knowledge base's, diagnosed by the engine in process
(simulation/inprocess.py); does learning from their episodes find the truth, and do new
users from the same population need fewer fixes afterwards?"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from learning.calibration import evaluate
from learning.estimate import cases_of, largest_changes, learn, proposal
from simulation.inprocess import Run, play
from simulation.population import MAX_STEPS, Member, Population, Truth, User
from troubleshooter.engine import Engine
from troubleshooter.knowledge import KnowledgeBase, with_learned

# The demonstration's truth: one cause five times as common, one fix working half as often.
COMMON_CAUSE, FACTOR = "network_dns", 5.0
WEAK_FIX, WEAK_FOR = "switch_network", "network_weak_signal"
DEMO_USERS, DEMO_TEST_USERS = 3000, 1000


def episode_row(run: Run, started: float) -> dict[str, Any]:
    """A run as an analytics episode row (what learning.estimate.cases_of reads)."""
    return {
        "started": started,
        "symptoms": list(run.symptoms),
        "resolved_by": run.worked,
        "questions": [{"evidence": e, "answer": v} for e, v in run.answers.items()],
        "fixes": [{"fix": f, "outcome": "failed"} for f in run.failed],
    }


def demonstration(
    kb: KnowledgeBase, seed: int = 11, users: int = DEMO_USERS, test_users: int = DEMO_TEST_USERS
) -> dict[str, Any]:
    """Users whose truth differs from the knowledge base, diagnosed by the engine before and
    after learning from them."""
    truth = Truth.of(kb)
    truth.priors = {**truth.priors, COMMON_CAUSE: truth.priors[COMMON_CAUSE] * FACTOR}
    truth.p_fix = {**truth.p_fix, (WEAK_FIX, WEAK_FOR): truth.p_fix[(WEAK_FIX, WEAK_FOR)] / 2}
    before = Engine(kb)
    pop = Population(kb, truth, seed=seed)
    people: list[User] = []
    runs: list[Run] = []
    for _ in range(users):  # each user drawn, then diagnosed: the population's random numbers in that order
        people.append(pop.user())
        runs.append(play(before, Member(pop, people[-1]), MAX_STEPS))
    rows = [episode_row(r, float(i)) for i, r in enumerate(runs)]
    cases = [replace(c, cause=u.cause) for c, u in zip(cases_of(rows, before), people)]  # every run has a symptom
    learned = learn(before, cases)
    prop = proposal(before, learned)
    after = Engine(with_learned(kb, prop))
    scale = sum(c.prior for c in kb.causes.values())
    total = sum(p for c, p in truth.priors.items() if not kb.causes[c].leak)  # the population never draws the leak
    values = {
        "prior": (
            kb.causes[COMMON_CAUSE].prior / scale,
            truth.priors[COMMON_CAUSE] / total,
            after.prior[after.causes.index(COMMON_CAUSE)],
        ),
        "fix": (
            kb.causes[WEAK_FOR].fixes[WEAK_FIX],
            truth.p_fix[(WEAK_FIX, WEAK_FOR)],
            after.kb.causes[WEAK_FOR].fixes[WEAK_FIX],
        ),
    }
    fresh = Population(kb, truth, seed=seed + 1)
    newcomers = [fresh.settled_user() for _ in range(test_users)]
    outcome = {}
    for name, eng in (("before", before), ("after", after)):
        done = [
            play(eng, Member(fresh, replace(u, answers=dict(u.answers), results=dict(u.results))), MAX_STEPS)
            for u in newcomers
        ]
        outcome[name] = {
            "mean_fixes": sum(len(r.fixes) for r in done) / len(done),
            "resolved": sum(r.resolved for r in done) / len(done),
        }
    return {
        "users": users,
        "test_users": test_users,
        "values": values,
        "outcome": outcome,
        "strength": learned.strength,
        "changes": largest_changes(prop, 8),
        "calibration": evaluate(kb, cases),
    }
