"""A population of simulated users with a true cause each, for demo data (and for
checking learning against known truth). A user answers each question from the true
cause's P(yes | cause), a fix works with P(fix resolves | cause), and some users
behave as people do: ask for a person, start over, stop replying, type instead of
clicking. The truth defaults to the knowledge base's own probabilities; any part
can be overridden. `Member` plays one of them (simulation/inprocess.py, simulation/driver.py)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from troubleshooter.knowledge import KnowledgeBase

from .user import Reply, SimulatedUser, Step, answer_button, fix_button, symptom_button

OPENINGS = ("{s}", "help!! {s}", "hi, {s} on tiktok", "{s} since yesterday", "{s}, what do i do", "hey so {s}")
TYPED = {
    "yes": ("yes", "yeah", "ya", "yes i am"),
    "no": ("no", "nope", "no its not"),
    "unsure": ("not sure", "idk", "no idea"),
}
WORKED = ("that worked", "omg it works", "yes it works now", "fixed, thanks")
FAILED = ("still not working", "didnt work", "nope still broken")
ASK_PERSON = ("can i talk to a real person", "human please", "i want to talk to support")
THANKS = ("thanks!", "thank you so much", "ty")
MAX_STEPS = 30  # engine steps for one user in process


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


class Member(SimulatedUser):
    """A population user as a simulated user: answers and fix results drawn from the truth (once
    each); over REST it types (in the population's words) or clicks, and may ask for a person,
    start over, stop replying or say thanks. Draws from the population's random numbers in the
    order it is asked, so a seed gives the same conversations."""

    def __init__(self, pop: Population, user: User):
        self.pop, self.user = pop, user
        self.cause, self.symptoms = user.cause, (user.symptom,)

    def value(self, evidence: str) -> str:
        return self.pop.answer(self.user, evidence)

    def fix_works(self, fix: str) -> bool:
        return self.pop.fix_works(self.user, fix)

    def opening(self) -> str:
        return self.user.opening

    def answer(self, step: Step, times: int) -> str:
        value = self.value(step["evidence"])
        return self.pop.typed(TYPED[value]) if self.user.types else answer_button(value, step["evidence"])

    def fix_result(self, step: Step, worked: bool, times: int) -> str:
        return self.pop.typed(WORKED if worked else FAILED) if self.user.types else fix_button(worked, step["fix"])

    def on_clarify(self, step: Step, reply: Reply) -> str:
        return (
            symptom_button(self.user.symptom) if self.user.symptom in (step.get("options") or []) else self.user.opening
        )

    def on_silence(self, reply: Reply) -> str | None:
        shown = [m["buttons"] for m in reply if m.get("buttons")]
        return shown[-1][0]["payload"] if shown else None  # e.g. a confirmation: yes

    def on_resolved(self) -> str | None:
        return self.pop.typed(THANKS) if self.user.thanks else None

    def leaves(self, turn: int) -> bool:
        return self.user.gives_up_at == turn

    def interject(self, turn: int) -> str | None:
        if self.user.asks_person_at == turn:
            return self.pop.typed(ASK_PERSON)
        return "start over" if self.user.starts_over_at == turn else None
