"""Role-played conversations (tests/heldout/conversations/), each turn read through the running
assistant in the state its writer saw (a replay in order drifts once the bot asks something else;
make bench reports both). Guards per set, just below what each measured."""

import pytest

from evaluation import conversations

# outcomes read right, answers read as answers (at least), in context, 2026-12-02 (second session): set-a 18/23
# 75/79, set-b 18/28 53/56, set-c 13/15 19/19, set-d 10/16 19/20, set-e 13/16 25/26, set-f 10/14 27/29
FLOORS = {
    "set-a": (0.7, 0.9),
    "set-b": (0.55, 0.88),
    "set-c": (0.65, 0.9),
    "set-d": (0.6, 0.88),
    "set-e": (0.7, 0.85),
    "set-f": (0.6, 0.88),
}
pytestmark = pytest.mark.slow  # talks for minutes


def _share(fraction: str) -> float:
    right, n = (int(x) for x in fraction.split("/"))
    return right / n if n else 1.0


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_a_set_of_role_played_turns_is_read_at_least_as_well_as_measured(assistant, kb, name, capsys):
    played = [c for c in conversations.load() if c["set"] == name]
    report = conversations.in_context(assistant.url, played, {*kb.evidence, *kb.fixes})
    with capsys.disabled():
        print(f"\nrole-played {name}, in context: {report}")
    outcomes_floor, answers_floor = FLOORS[name]
    assert len(played) >= 8
    assert _share(report["outcomes_right"]) >= outcomes_floor, report
    assert _share(report["answers_read"]) >= answers_floor, report
