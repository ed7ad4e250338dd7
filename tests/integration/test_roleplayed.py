"""Role-played conversations (tests/heldout/conversations/), replayed through the running assistant.
Guards per set, just below what each measured when they were written (make bench reports them);
people's messages stay as they typed them even where the bot now answers differently."""

import pytest

from evaluation import conversations

# resolved at least, outcomes read right at least: 2026-12-02 (set-a 0.70, 19/23; set-b 0.47, 18/27)
FLOORS = {"set-a": (0.60, 0.75), "set-b": (0.35, 0.60)}
pytestmark = pytest.mark.slow  # talks for minutes


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_a_set_of_role_played_conversations_goes_at_least_as_well_as_measured(assistant, kb, name, capsys):
    played = [c for c in conversations.load() if c["set"] == name]
    report = conversations.evaluate(assistant.url, played, kb.contract)
    with capsys.disabled():
        print(f"\nrole-played {name}: " + ", ".join(f"{k} {v}" for k, v in report.items() if k != "rows"))
    right, outcomes = (int(x) for x in report["outcomes_right"].split("/"))
    resolved_floor, outcomes_floor = FLOORS[name]
    assert len(played) >= 15 and report["resolved"] >= resolved_floor, report["rows"]
    assert right >= outcomes_floor * outcomes, report["rows"]
