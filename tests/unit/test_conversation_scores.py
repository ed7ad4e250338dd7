"""How a replayed role-played conversation is scored (evaluation/conversations.py)."""

from evaluation.conversations import RolePlayedUser, score
from simulation.user import answer_button, fix_button

CONVERSATION = {
    "id": "rp-x",
    "cause": "network_firewall_vpn",
    "turns": [
        {"user": "dms wont send, im on school wifi", "kind": "other", "volunteered": {"vpn_or_proxy": "yes"}},
        {"user": "wait is tiktok down?", "kind": "side_question", "volunteered": {}},
        {"user": "ya", "kind": "answer", "volunteered": {}},
        {"user": "switched to data, it sent!", "kind": "outcome", "volunteered": {}, "expect_outcome": "worked"},
        {"user": "thanks", "kind": "other", "volunteered": {}},
    ],
}


def seen(resolved_by="switch_network", facts=None):
    facts = {"vpn_or_proxy": "yes"} if facts is None else facts
    return [
        {
            "steps": [{"type": "question", "evidence": "other_apps_work"}],
            "reading": {"act": "report"},
            "diagnosis": {"evidence": facts},
        },
        {
            "steps": [{"type": "answer", "topic": "tiktok_down"}, {"type": "question", "reminder": True}],
            "reading": {"act": "faq", "value": "tiktok_down"},
            "diagnosis": {"evidence": facts},
        },
        {
            "steps": [{"type": "fix", "fix": "switch_network"}],
            "reading": {"act": "answer", "value": "yes"},
            "diagnosis": {"evidence": facts},
        },
        {
            "steps": [{"type": "resolved", "fix": resolved_by}],
            "reading": {"act": "result", "value": "worked"},
            "diagnosis": {"evidence": facts, "resolved_by": resolved_by},
        },
    ]


def test_a_conversation_that_goes_right_scores_everything():
    row = score(CONVERSATION, seen(), {"switch_network", "disable_vpn_proxy"})
    assert row["resolved"] and row["user_messages"] == 4 and row["questions"] == 1
    assert (row["facts_used"], row["facts"]) == (1, 1) and (row["outcomes_right"], row["outcomes"]) == (1, 1)
    assert (row["side_questions_answered"], row["side_questions"]) == (1, 1)


def test_a_resolution_on_a_fix_that_does_not_resolve_the_cause_is_not_resolved():
    assert not score(CONVERSATION, seen(resolved_by="clear_cache"), {"switch_network"})["resolved"]


def test_a_fact_missed_or_read_the_other_way_is_not_used():
    assert score(CONVERSATION, seen(facts={}), {"switch_network"})["facts_used"] == 0
    assert score(CONVERSATION, seen(facts={"vpn_or_proxy": "no"}), {"switch_network"})["facts_used"] == 0


def _played():
    turns = [
        {"user": "dms wont send, im on school wifi", "kind": "other", "replied_to": None},
        {"user": "wait is tiktok down?", "kind": "side_question", "replied_to": {"question": "other_apps_work"}},
        {"user": "ya they all work", "kind": "answer", "replied_to": {"question": "other_apps_work"}},
        {
            "user": "did it, nothing",
            "kind": "outcome",
            "expect_outcome": "failed",
            "replied_to": {"fix": "restart_device"},
        },
        {
            "user": "switched to data, it sent!",
            "kind": "outcome",
            "expect_outcome": "worked",
            "replied_to": {"fix": "switch_network"},
        },
    ]
    c = {"id": "rp-x", "cause": "network_firewall_vpn", "facts": {"weak_signal": "no"}, "turns": turns}
    return RolePlayedUser(c, {"switch_network", "disable_vpn_proxy"})


def test_a_continued_person_says_their_own_words_for_a_step_they_wrote_for_in_order_then_taps():
    user = _played()
    assert user.opening() == "dms wont send, im on school wifi"
    question = {"type": "question", "evidence": "other_apps_work"}
    assert user.answer(question, 1) == "wait is tiktok down?"
    assert user.answer(question, 2) == "ya they all work"
    assert user.answer(question, 3) == answer_button("unsure", "other_apps_work")  # nothing left of theirs
    assert user.answer({"type": "question", "evidence": "weak_signal"}, 1) == answer_button("no", "weak_signal")
    assert (user.own, user.taps) == (3, 2)


def test_a_continued_person_reports_a_fix_as_their_true_cause_has_it_never_against_it():
    user = _played()
    assert user.fix_works("switch_network") and not user.fix_works("restart_device")
    assert user.fix_result({"type": "fix", "fix": "switch_network"}, True, 1) == "switched to data, it sent!"
    assert user.fix_result({"type": "fix", "fix": "restart_device"}, False, 1) == "did it, nothing"
    # an outcome written for another fix, or one that disagrees with the truth, is never sent
    assert user.fix_result({"type": "fix", "fix": "clear_cache"}, False, 1) == fix_button(False, "clear_cache")
    assert user.fix_result({"type": "fix", "fix": "switch_network"}, True, 2) == fix_button(True, "switch_network")


def test_a_continued_person_asked_what_happens_says_more_in_their_own_words_and_never_confirms():
    user = _played()
    user.opening()
    assert user.on_clarify({"type": "clarify", "options": ["one_person"]}, []) == "wait is tiktok down?"
    user.turns.append({"user": "it just spins", "kind": "answer", "replied_to": None})  # said to a clarification
    user.unused.append(len(user.turns) - 1)
    assert user.on_clarify({"type": "clarify", "options": ["send_stuck"]}, []) == "it just spins"
    assert user.on_clarify({"type": "confirm", "action": "restart"}, []) is None
