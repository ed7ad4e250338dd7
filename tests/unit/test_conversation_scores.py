"""How a replayed role-played conversation is scored (evaluation/conversations.py)."""

from evaluation.conversations import score

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
