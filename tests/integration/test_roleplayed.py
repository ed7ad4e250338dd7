"""Role-played conversations (tests/heldout/conversations/), each turn read through the running
assistant in the state its writer saw (a replay in order drifts once the bot asks something else;
make bench reports both). Guards per set, just below what each measured."""

import pytest

from evaluation import conversations

# outcomes read right, answers read as answers (at least), in context, 2026-12-03 (the outcome reader):
# set-a 19/23 75/79, set-b 19/28 53/56, set-c 13/15 19/19, set-d 13/16 19/20, set-e 14/16 25/26,
# set-f 11/14 27/29 (before it: 18/23, 18/28, 13/15, 10/16, 13/16, 10/14)
# The intent reader that replaced DIET (2026-12-05, model 089f44e): 22/23 74/79, 22/28 54/56, 12/15 19/19,
# 14/16 20/20, 14/16 26/26, 11/14 28/29, 11/12 19/21, 20/25 29/30.
# Rounds 19-20 (model 3976e0c): set-h 19/25 29/30 (all sets 127/149 outcomes, 126 before): "no funciono, ya te dije q no
# aparece esa opcion. entonces es x mi edad o q onda?" now leans to success on its first clause (the character
# n-grams of "funciono" are not negated), read as a question it can't answer, the fix still waiting.
FLOORS = {
    "set-a": (0.9, 0.9),
    "set-b": (0.75, 0.9),  # 18/28 since the question reader (19/28 before: a failure told with a question)
    "set-c": (0.75, 0.9),
    "set-d": (0.85, 0.9),
    "set-e": (0.85, 0.9),
    "set-f": (0.75, 0.9),
    # 9/12, 19/21 (2026-12-03, English registers); 11/12 until the side questions' facts were marked
    # (2026-12-05): 10/12, rpG-04's "I submitted the appeal, and they lifted it [...]" with a question
    # after it is now answered as the question alone (set-c gained one: 14/15)
    "set-g": (0.8, 0.85),
    "set-h": (0.75, 0.9),  # 19/25, 29/30 (Spanish, Portuguese, Indonesian; 13/25 before the fifth round)
    # four per language, played live on model da66a82 (2026-12-06): 21/29, 38/38 then; 25/29 once the outcome
    # reader learnt successes told beside a complaint or question and failures in other words, and a clause
    # surely heard failing outweighs words of success (model 4d01361)
    "set-i": (0.75, 0.9),
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


# Continued past the drift (their own words for a step they wrote for, else taps from their hidden
# facts and true cause), all sets together: 79/87 resolved on model a77cd31, 76/87 on 838063d, 83/87 on
# 957bbba (2026-12-04); rpB-09 and rpD-01 ask for a person and are rightly handed over. With set I
# (2026-12-06): 98/103 (its 16 all resolved on model 4d01361, 15 on da66a82); 97/103 on 6fdbe8e (two rounds of
# examples by kind: rpB-01, a long polite opening, ends on an unanswered choice of problems).
CONTINUED_FLOOR = 0.9


def test_role_played_people_continued_past_the_drift_are_resolved_at_least_as_often_as_measured(assistant, kb, capsys):
    report = conversations.continued(assistant.url, conversations.load(), kb.contract)
    missed = [(r["id"], r["ended"]) for r in report["rows"] if not r["resolved"]]
    with capsys.disabled():
        print(
            f"\nrole-played, continued: resolved {report['resolved']:.1%}, "
            f"own words {report['own_words']:.0%}, not resolved {missed}"
        )
    assert report["conversations"] >= 80
    assert report["resolved"] >= CONTINUED_FLOOR, missed
