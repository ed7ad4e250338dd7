"""Tracker events -> episodes, and the figures over them, on hand-written events whose
expected episodes and figures are worked out by hand below."""

from __future__ import annotations

import pytest

from analytics.episodes import conversation_of, turns_of
from analytics.metrics import Filters, summary
from troubleshooter.vocabulary import DIAGNOSIS_SLOT, OWNERSHIP_METADATA, PAYLOAD_KEY, READING_SLOT, RESPOND_ACTION

DAY = 86400.0
T0 = 1_790_000_000.0  # 2026-09-21 (UTC)


class Log:
    """Rasa-shaped events of one conversation, written turn by turn."""

    def __init__(self, channel: str = "rest"):
        self.events: list[dict] = [
            {"event": "action", "name": "action_session_start", "timestamp": T0},
            {"event": "session_started", "timestamp": T0},
        ]
        self.t, self.channel = T0, channel

    def turn(
        self,
        text: str,
        intent: str,
        diagnosis: dict | None,
        *payloads: dict,
        answered: bool = True,
        reading: dict | None = None,
        gap: float = 10.0,
        owner: str | None = None,
    ) -> Log:
        self.t += gap
        meta = {OWNERSHIP_METADATA: {"owner": owner, "event": "message"}} if owner else {}
        self.events += [
            {"event": "action", "name": "action_listen", "timestamp": self.t},
            {
                "event": "user",
                "timestamp": self.t,
                "text": text,
                "input_channel": self.channel,
                "metadata": meta,
                "parse_data": {"intent": {"name": intent, "confidence": 0.9}},
            },
            {"event": "action", "name": RESPOND_ACTION, "timestamp": self.t + 0.1},
        ]
        if answered:
            self.events.append({"event": "bot", "timestamp": self.t + 0.1, "text": "reply", "data": {}})
            for p in payloads:
                self.events.append(
                    {"event": "bot", "timestamp": self.t + 0.1, "text": None, "data": {"custom": {PAYLOAD_KEY: p}}}
                )
            self.events.append({"event": "slot", "name": DIAGNOSIS_SLOT, "value": diagnosis, "timestamp": self.t + 0.1})
            self.events.append({"event": "slot", "name": READING_SLOT, "value": reading, "timestamp": self.t + 0.1})
        return self

    def restart(self) -> Log:
        self.events.append({"event": "restart", "timestamp": self.t + 1})
        return self


def dx(episode: int = 1, status: str = "active", **fields) -> dict:
    return {
        "symptoms": ["send_failed"],
        "reports": [{"send_failed": 1.0}],
        "status": status,
        "episode": episode,
        **fields,
    }


IDLE = {"status": "idle", "episode": 0}
Q = lambda e, reminder=False: {"type": "question", "evidence": e, **({"reminder": True} if reminder else {})}
F = lambda f, rank, reminder=False: {
    "type": "fix",
    "fix": f,
    "rank": rank,
    **({"reminder": True} if reminder else {}),
}


def episodes(log: Log, now: float | None = None, expiry: float = DAY):
    return conversation_of("c1", log.events, expiry, now if now is not None else log.t + 60).episodes


def test_a_resolved_diagnosis_lists_questions_fixes_and_their_outcomes_once():
    log = (
        Log()
        .turn("hi", "greet", IDLE)
        .turn("my dms fail", "symptom_send_failed", dx(), Q("vpn_or_proxy"))
        .turn("what?", "ask_why", dx(asked=["vpn_or_proxy"]), Q("vpn_or_proxy", reminder=True))
        .turn(
            "yes",
            "affirm",
            dx(asked=["vpn_or_proxy"], evidence={"vpn_or_proxy": "yes", "wifi": "no"}),
            F("disable_vpn_proxy", 1),
        )
        .turn(
            "didnt work",
            "fix_failed",
            dx(asked=["vpn_or_proxy"], evidence={"vpn_or_proxy": "yes", "wifi": "no"}, failed=["disable_vpn_proxy"]),
            F("switch_network", 2),
        )
        .turn("ok", "acknowledge", dx(failed=["disable_vpn_proxy"]), F("switch_network", 2, reminder=True))
        .turn(
            "works!",
            "fix_worked",
            dx(
                asked=["vpn_or_proxy"],
                evidence={"vpn_or_proxy": "yes", "wifi": "no"},
                failed=["disable_vpn_proxy"],
                told=["restart_device"],
                status="resolved",
                resolved_by="switch_network",
            ),
            {"type": "resolved", "fix": "switch_network"},
        )
    )
    [ep] = episodes(log)
    assert ep.outcome == "resolved" and ep.resolved_by == "switch_network" and ep.handover_reason is None
    assert ep.questions == [{"evidence": "vpn_or_proxy", "answer": "yes"}]
    assert ep.volunteered == {"wifi": "no"}
    assert ep.told == ["restart_device"] and ep.row()["told"] == ["restart_device"]
    assert ep.fixes == [
        {"fix": "disable_vpn_proxy", "rank": 1, "outcome": "failed"},
        {"fix": "switch_network", "rank": 2, "outcome": "worked"},
    ]
    assert ep.turns == 7 and ep.symptoms == ["send_failed"] and ep.channel == "rest"
    assert ep.started == T0 + 10 and ep.ended == T0 + 70.1  # the greeting belongs to the diagnosis after it


def test_each_new_diagnosis_is_an_episode_and_the_one_left_unfinished_counts_as_started_over():
    log = (
        Log()
        .turn("my dms fail", "symptom_send_failed", dx(1), Q("vpn_or_proxy"))
        .turn("start over", "start_over", {"status": "idle", "episode": 2})
        .turn("stuck sending", "symptom_send_stuck", dx(3, symptoms=["send_stuck"]), Q("weak_signal"))
    )
    first, second = episodes(log)
    assert (first.outcome, first.turns, first.episode) == ("restarted", 1, 1)
    assert (second.outcome, second.turns, second.symptoms) == ("ongoing", 2, ["send_stuck"])


def test_an_open_diagnosis_quiet_for_the_session_expiry_is_abandoned():
    log = Log().turn("my dms fail", "symptom_send_failed", dx(), Q("vpn_or_proxy"))
    assert episodes(log, now=log.t + DAY - 60)[0].outcome == "ongoing"
    assert episodes(log, now=log.t + DAY + 60)[0].outcome == "abandoned"


def test_a_conversation_that_never_named_a_problem_is_one_no_problem_episode():
    [ep] = episodes(Log().turn("hi", "greet", IDLE).turn("bye", "goodbye", IDLE))
    assert (ep.outcome, ep.symptoms, ep.turns, ep.top_causes) == ("no_problem", [], 2, [])


@pytest.mark.parametrize(
    "payloads, owner, reason",
    [
        ([{"type": "handoff", "reason": "asked"}], None, "asked"),
        ([{"type": "handoff", "reason": "out_of_fixes"}], None, "out_of_fixes"),
        ([], "people", "people"),  # an agent took the conversation: no hand-over message
    ],
)
def test_hand_over_reasons(payloads, owner, reason):
    log = (
        Log()
        .turn("my dms fail", "symptom_send_failed", dx(), Q("vpn_or_proxy"))
        .turn("help", "human_handoff", dx(status="handed_over"), *payloads, owner=owner)
    )
    [ep] = episodes(log)
    assert (ep.outcome, ep.handover_reason) == ("handed_over", reason)


def test_a_last_message_the_assistant_did_not_answer_is_a_failure():
    log = (
        Log()
        .turn("my dms fail", "symptom_send_failed", dx(), Q("vpn_or_proxy"))
        .turn("yes", "affirm", None, answered=False)
    )
    [ep] = episodes(log)
    assert (ep.outcome, ep.handover_reason, ep.turns) == ("handed_over", "failure", 2)
    assert [t.answered for t in turns_of(log.events)] == [True, False]


def test_a_rasa_restart_ends_the_diagnosis_even_with_the_same_counter():
    log = Log().turn("my dms fail", "symptom_send_failed", dx(1), Q("vpn_or_proxy"))
    # As Rasa 3.6 logs "/restart": the message, action_restart, the restart event, no reply.
    log.t += 5
    log.events += [
        {"event": "action", "name": "action_listen", "timestamp": log.t},
        {
            "event": "user",
            "text": "/restart",
            "timestamp": log.t,
            "input_channel": "rest",
            "parse_data": {"intent": {"name": "restart", "confidence": 1.0}},
        },
        {"event": "action", "name": "action_restart", "timestamp": log.t},
        {"event": "restart", "timestamp": log.t},
        {"event": "action", "name": "action_listen", "timestamp": log.t},
    ]
    assert [(e.outcome, e.turns) for e in episodes(log)] == [("restarted", 2)]
    log.turn("stuck sending", "symptom_send_stuck", dx(1, symptoms=["send_stuck"]), Q("weak_signal"))
    assert [(e.outcome, e.turns) for e in episodes(log)] == [("restarted", 2), ("ongoing", 1)]


def test_starting_over_and_leaving_counts_as_started_over():
    log = (
        Log()
        .turn("my dms fail", "symptom_send_failed", dx(1), F("restart_app", 1))
        .turn("start over", "start_over", dx(1, pending={"type": "confirm", "action": "start_over"}))
        .turn("yes", "affirm", {"status": "idle", "episode": 2})
    )
    assert [(e.outcome, e.turns) for e in episodes(log, now=log.t + 2 * DAY)] == [("restarted", 3)]


OWNER = lambda o: {"type": "owner", "owner": o}


def test_support_chat_hand_overs_keep_their_reason_and_a_hand_back():
    # The assistant failed on a turn; the connector handed over, and the status change followed.
    log = (
        Log("chatwoot")
        .turn("my dms fail", "symptom_send_failed", dx(), Q("vpn_or_proxy"), owner="bot")
        .turn("yes", "affirm", None, answered=False, owner="bot")
        .turn("", "", dx(status="handed_over"), OWNER("people"), owner="people")
    )
    assert [(e.outcome, e.handover_reason) for e in episodes(log)] == [("handed_over", "failure")]
    # Asked for a person, handed back, asked nothing, then an agent took it again: the last reason counts.
    log = (
        Log("chatwoot")
        .turn("my dms fail", "symptom_send_failed", dx(), Q("vpn_or_proxy"), owner="bot")
        .turn("human", "human_handoff", dx(status="handed_over"), {"type": "handoff", "reason": "asked"}, owner="bot")
        .turn("", "", dx(), OWNER("bot"), Q("wifi"), owner="bot")
        .turn("", "", dx(status="handed_over"), OWNER("people"), owner="people")
    )
    [ep] = episodes(log)
    assert (ep.outcome, ep.handover_reason, ep.handovers) == ("handed_over", "people", 2)
    # Handed over, handed back, then a fix worked: resolved, and the hand-over is remembered.
    log = (
        Log("chatwoot")
        .turn("my dms fail", "symptom_send_failed", dx(), Q("vpn_or_proxy"), owner="bot")
        .turn("human", "human_handoff", dx(status="handed_over"), {"type": "handoff", "reason": "asked"}, owner="bot")
        .turn("", "", dx(), OWNER("bot"), F("disable_vpn_proxy", 1), owner="bot")
        .turn("worked", "fix_worked", dx(status="resolved", resolved_by="disable_vpn_proxy"), owner="bot")
    )
    [ep] = episodes(log)
    assert (ep.outcome, ep.handovers) == ("resolved", 1)
    assert summary([ep])["counts"]["resolved_after_handover"] == 1
    # The support team closed the conversation while the bot still had it.
    log = (
        Log("chatwoot")
        .turn("my dms fail", "symptom_send_failed", dx(), Q("vpn_or_proxy"), owner="bot")
        .turn("", "", {"status": "idle", "episode": 2}, OWNER("closed"), owner="closed")
    )
    assert [(e.outcome, e.handover_reason) for e in episodes(log, now=log.t + 2 * DAY)] == [("handed_over", "people")]


def test_slots_carried_into_a_new_session_are_not_a_turn():
    log = Log().turn("my dms fail", "symptom_send_failed", dx(), Q("vpn_or_proxy"))
    log.events += [
        {"event": "action", "name": "action_session_start", "timestamp": log.t + 5},
        {"event": "session_started", "timestamp": log.t + 5},
        {"event": "slot", "name": DIAGNOSIS_SLOT, "value": dx(status="resolved"), "timestamp": log.t + 5},
    ]
    [ep] = episodes(log)
    assert ep.outcome == "ongoing" and len(turns_of(log.events)) == 1


def test_malformed_events_are_skipped():
    log = Log().turn("my dms fail", "symptom_send_failed", dx(), Q("vpn_or_proxy"))
    events = ["junk", {"event": "user"}, {"event": "bot", "data": "x"}, *log.events, {"event": "slot", "value": 3}]
    eps = conversation_of("c1", events, DAY, log.t + 60).episodes
    assert [e.outcome for e in eps] == ["ongoing"]


# ----- figures --------------------------------------------------------------------------------


def _population():
    """Four conversations: resolved at fix 2, handed over (asked), abandoned, no problem."""
    resolved = (
        Log()
        .turn("fail", "symptom_send_failed", dx(), F("restart_app", 1))
        .turn("no", "fix_failed", dx(failed=["restart_app"]), F("update_app", 2))
        .turn("yes", "fix_worked", dx(failed=["restart_app"], status="resolved", resolved_by="update_app"))
    )
    handed = (
        Log("chatwoot")
        .turn("fail", "symptom_send_failed", dx(), Q("vpn_or_proxy"))
        .turn("human", "human_handoff", dx(status="handed_over"), {"type": "handoff", "reason": "asked"})
    )
    quiet = Log().turn("fail", "symptom_send_failed", dx(), F("restart_app", 1))
    nothing = Log().turn("hi", "greet", IDLE)
    now = T0 + 3 * DAY
    out = []
    for name, log in (("r", resolved), ("h", handed), ("q", quiet), ("n", nothing)):
        out += conversation_of(name, log.events, DAY, now).episodes
    return out


def test_headline_figures():
    s = summary(_population())
    assert s["counts"] == {
        "conversations": 4,
        "episodes": 4,
        "diagnoses": 3,
        "finished": 3,
        "resolved": 1,
        "handed_over": 1,
        "abandoned": 1,
        "restarted": 0,
        "ongoing": 0,
        "no_problem": 1,
        "resolved_after_handover": 0,
    }
    assert s["rates"] == {"resolution": 0.3333, "handover": 0.3333, "abandonment": 0.3333, "restart": 0.0}
    assert [f["count"] for f in s["funnel"]] == [4, 3, 2, 1]
    assert s["per_resolved"] == {
        "questions_mean": 0.0,
        "fixes_mean": 2.0,
        "turns_mean": 3.0,
        "questions_hist": {"0": 1},
        "fixes_hist": {"2": 1},
    }
    restart = next(f for f in s["fixes"] if f["fix"] == "restart_app")
    assert (restart["suggested"], restart["failed"], restart["unanswered"], restart["success_rate"]) == (2, 1, 1, 0.0)
    update = next(f for f in s["fixes"] if f["fix"] == "update_app")
    assert (update["worked"], update["success_rate"], update["worked_at_rank"]) == (1, 1.0, {"2": 1})
    assert s["handover_reasons"] == [{"reason": "asked", "count": 1}]
    assert s["symptoms"] == [{"symptom": "send_failed", "episodes": 3, "resolved": 1}]


def test_filters_and_empty_rates():
    eps = _population()
    assert [e.conversation for e in eps if Filters(channel="chatwoot").keeps(e)] == ["h"]
    assert [e.conversation for e in eps if Filters(fix="update_app").keeps(e)] == ["r"]
    assert not [e for e in eps if Filters(start="2026-09-22").keeps(e)]
    assert summary([])["rates"] == {"resolution": None, "handover": None, "abandonment": None, "restart": None}
