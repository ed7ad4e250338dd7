"""A population of simulated users with a true cause each, for demo data (and for
checking learning against known truth). A user answers each question from the true
cause's P(yes | cause), a fix works with P(fix resolves | cause), and some users
behave as people do: ask for a person, start over, stop replying, type instead of
clicking. The truth defaults to the knowledge base's own probabilities; any part
can be overridden."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from troubleshooter.knowledge import KnowledgeBase

OPENINGS = ("{s}", "help!! {s}", "hi, {s} on tiktok", "{s} since yesterday", "{s}, what do i do", "hey so {s}")
TYPED = {
    "yes": ("yes", "yeah", "ya", "yes i am"),
    "no": ("no", "nope", "no its not"),
    "unsure": ("not sure", "idk", "no idea"),
}
WORKED = ("that worked", "omg it works", "yes it works now", "fixed, thanks")
FAILED = ("still not working", "didnt work", "nope still broken")


@dataclass
class Truth:
    """The population's real probabilities (defaults: the knowledge base's)."""

    priors: dict[str, float]
    p_yes: dict[tuple[str, str], float]  # (evidence, cause) -> P(yes)
    p_fix: dict[tuple[str, str], float]  # (fix, cause) -> P(resolves)

    @classmethod
    def of(cls, kb: KnowledgeBase) -> Truth:
        p_yes = {(e, c): kb.causes[c].evidence.get(e, kb.evidence[e].base_rate) for e in kb.evidence for c in kb.causes}
        p_fix = {(f, c): p for c in kb.causes for f, p in kb.causes[c].fixes.items()}
        return cls({c: v.prior for c, v in kb.causes.items()}, p_yes, p_fix)


@dataclass
class User:
    cause: str
    symptom: str
    opening: str
    types: bool  # types answers instead of clicking buttons
    asks_person_at: int | None  # turn at which they ask for a person
    gives_up_at: int | None  # turn after which they stop replying
    starts_over_at: int | None
    thanks: bool
    answers: dict[str, str] = field(default_factory=dict)  # sampled once per question
    results: dict[str, bool] = field(default_factory=dict)  # sampled once per fix


class Population:
    def __init__(self, kb: KnowledgeBase, truth: Truth | None = None, seed: int = 7):
        self.kb, self.truth, self.rng = kb, truth or Truth.of(kb), random.Random(seed)
        self._causes = [c for c in kb.causes if not kb.causes[c].leak and self.truth.priors.get(c, 0) > 0]

    def user(self) -> User:
        rng, kb = self.rng, self.kb
        cause = rng.choices(self._causes, [self.truth.priors[c] for c in self._causes])[0]
        linked = kb.causes[cause].symptoms or dict.fromkeys(kb.symptoms, 1.0)
        symptom = rng.choices(list(linked), list(linked.values()))[0]
        text = kb.symptoms[symptom].description
        opening = rng.choice(OPENINGS).format(s=text[0].lower() + text[1:])
        return User(
            cause,
            symptom,
            opening,
            types=rng.random() < 0.4,
            asks_person_at=rng.randint(2, 5) if rng.random() < 0.08 else None,
            gives_up_at=rng.randint(1, 6) if rng.random() < 0.1 else None,
            starts_over_at=rng.randint(2, 4) if rng.random() < 0.04 else None,
            thanks=rng.random() < 0.3,
        )

    def settled_user(self) -> User:
        """A user whose every answer and fix result is drawn now: engines compared on copies
        of this user meet the same world."""
        u = self.user()
        for e in self.kb.evidence:
            self.answer(u, e)
        for f in self.kb.fixes:
            self.fix_works(u, f)
        return u

    def answer(self, u: User, evidence: str) -> str:
        if evidence not in u.answers:
            p = self.truth.p_yes.get((evidence, u.cause), self.kb.evidence[evidence].base_rate)
            r = self.rng.random()
            u.answers[evidence] = "unsure" if r < 0.08 else ("yes" if self.rng.random() < p else "no")
        return u.answers[evidence]

    def fix_works(self, u: User, fix: str) -> bool:
        if fix not in u.results:
            u.results[fix] = self.rng.random() < self.truth.p_fix.get((fix, u.cause), 0.0)
        return u.results[fix]

    def typed(self, options: tuple[str, ...]) -> str:
        return self.rng.choice(options)


@dataclass
class Run:
    """One simulated user diagnosed by the engine alone."""

    cause: str
    symptom: str
    answers: dict[str, str]  # answers given, in order asked
    failed: list[str]
    worked: str | None
    time: float


def diagnose(engine, pop: Population, u: User, time: float = 0.0, max_steps: int = 30) -> Run:
    """Run the engine on one user: questions answered from the truth, fixes tried until one
    works or the engine hands over."""
    d = engine.start(u.symptom)
    for _ in range(max_steps):
        step = engine.advance(d)
        if step.kind == "question":
            engine.answer(d, step.id, pop.answer(u, step.id))
        elif step.kind == "fix":
            worked = pop.fix_works(u, step.id)
            engine.fix_result(d, step.id, worked)
            if worked:
                break
        else:
            break
    return Run(
        u.cause, u.symptom, {e: d.evidence[e] for e in d.asked if e in d.evidence}, list(d.failed), d.resolved_by, time
    )
