"""The engine alone, without NLU or channel: one simulated user diagnosed step by step.
Used for the project's scripted cases, population users (demo truth, learning) and
replayed episodes (calibration)."""

from __future__ import annotations

from dataclasses import dataclass, field

from troubleshooter.engine import Engine

from .user import SimulatedUser


@dataclass
class Run:
    """What happened to one user diagnosed by the engine."""

    symptoms: tuple[str, ...]
    questions: list[str] = field(default_factory=list)  # asked, in order
    answers: dict[str, str] = field(default_factory=dict)  # the answers given, in the order asked
    fixes: list[str] = field(default_factory=list)  # suggested, in order (the one that worked last)
    failed: list[str] = field(default_factory=list)
    worked: str | None = None
    redundant_questions: int = 0  # questions about what was already known (a symptom implies it)
    stalled: bool = False  # no end within the step limit, or a question or fix suggested again

    @property
    def resolved(self) -> bool:
        return self.worked is not None


def play(engine: Engine, user: SimulatedUser, max_steps: int) -> Run:
    """Diagnose `user`: questions answered from its truth, fixes tried until one works, the engine
    hands over, a step comes again (a loop, not progress) or `max_steps` steps have passed."""
    d = engine.start(user.symptoms[0])
    for extra in user.symptoms[1:]:
        engine.report(d, extra)
    run = Run(tuple(user.symptoms))
    known = set(engine.observed(d))
    for _ in range(max_steps):
        step = engine.advance(d)
        if step.id is not None and step.id in (run.questions if step.kind == "question" else run.fixes):
            run.stalled = True
            return run
        if step.kind == "question":
            run.redundant_questions += step.id in known
            run.questions.append(step.id)
            known.add(step.id)
            run.answers[step.id] = user.value(step.id)
            engine.answer(d, step.id, run.answers[step.id])
        elif step.kind == "fix":
            run.fixes.append(step.id)
            worked = user.fix_works(step.id)
            engine.fix_result(d, step.id, worked)
            if worked:
                run.worked = step.id
                return run
            run.failed.append(step.id)
        else:
            return run
    run.stalled = True
    return run
