"""Outcome replies and side questions written blind (tests/heldout/), through the running
assistant. Guards on the `check` part, set just below what it measured when the guard was
written (make bench reports both parts); `sealed` is never asserted on."""

import pytest

from evaluation import heldout

# right at least, wrong at most, pending step kept at least (side questions asked alone), set just
# below what `check` measured (2026-12-03, the outcome reader: outcomes 0.875 / 0.096; side questions
# 0.777 / 0.205 / 0.90; before it, outcomes 0.740 / 0.164; on 2026-12-02, 0.606 / 0.202 and 0.607 / 0.312)
# With the question reader (nlu/questions.py, model 113f6e9): outcomes 0.913 / 0.058, side questions
# 0.902 / 0.098 / 0.92 (its misses were read to find kinds of errors, so it is now optimistic; sealed 0.901).
# Model dd31617 (rounds 16-17, mostly Spanish, Portuguese and Indonesian): outcomes 0.923 / 0.077, side
# questions 0.866 / 0.134 / 0.837 (957bbba: 0.857 kept; one question asked alone, of 49, now read as an
# answer "unsure": "can wifi really be the reason tho?").
# The intent reader that replaced DIET, and a clause that asks no longer read as the outcome (model
# 089f44e): outcomes 0.942 / 0.058, side questions 0.902 / 0.098 / 0.857 (sealed 0.972 and 0.946).
# Rounds 19-20 (replies to a question or a fix in every language, model 3976e0c): outcomes 0.952 / 0.048,
# side questions 0.902 / 0.098 / 0.837: one of 49 asked alone lost its pending step again, a story's
# clause before the question ("we had a fight on friday ... nothing goes through") read as "unsure".
# Side questions in Spanish, Portuguese and Indonesian alone (side_questions_languages, written 2026-12-06):
# check 0.744 / 0.256 / 0.733 on model 4309975, 0.767 / 0.233 / 0.733 once data/nlu/side_questions/ was learnt
# (model b1b1078; sealed 0.822 -> 0.900, one of them a question beside a success now told "I can't answer that").
# The English side questions with it: 0.920 / 0.080 / 0.837, outcomes 0.962 / 0.038.
# Cause questions ("is it bc im 14?", written 2026-12-07, the ask_cause intent and Engine.pointed_to): check
# 0.50 right, pending kept 0.73 (sealed 0.43-0.50, 0.60) on model 6736d8b2935f; before, none was read as one.
# Outcomes `check` rewritten 2026-12-08 by a new writer (the old part's texts had been shown in a debug
# log, so it counted as seen): 0.933 right / 0.058 wrong on model 6249f41f28bd, read locally.
FLOORS = {
    "outcomes": {"right": 0.92, "wrong": 0.07},
    "side_questions": {"right": 0.89, "wrong": 0.11, "pending_kept": 0.83},
    "side_questions_languages": {"right": 0.75, "wrong": 0.25, "pending_kept": 0.7},
    "cause_questions": {"right": 0.45, "wrong": 0.55, "pending_kept": 0.65},
}


@pytest.mark.parametrize("kind", heldout.KINDS)
def test_the_check_part_is_read_at_least_as_well_as_measured(assistant, kind, capsys):
    report = heldout.evaluate(assistant.url, heldout.load(kind, "check"))
    with capsys.disabled():
        print(
            f"\nheld-out {kind} (check): right {report['right']:.3f}, asked again {report['unclear']:.3f}, "
            f"wrong {report['wrong']:.3f}, pending kept {report['pending_kept']:.3f}"
        )
    floor = FLOORS[kind]
    assert report["right"] >= floor["right"], report["per_label"]  # by label: the texts stay unread
    assert report["wrong"] <= floor["wrong"], report["per_label"]
    if "pending_kept" in floor:
        assert report["pending_kept"] >= floor["pending_kept"]
