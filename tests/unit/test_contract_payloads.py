"""The conversation contract's payloads (../shared/spec/conversation-contract.md): an answer to
the user's own question says what it answered and the pending step follows as a reminder; a
confirmation names its action; a resolution says whether a fix worked or an explanation was
accepted; a third showing of a step is a pointer without buttons."""

from tests.unit.states import asking, buttons, payloads, texts, trying

FAQ_ASKED = ("faq_ban_duration", 0.9), ("inform", 0.05)


def test_a_faq_mid_question_is_answered_then_the_question_reminded(engine, talk):
    d = asking(engine, "vpn_or_proxy")
    reading, msgs = talk(d, "how long do these restrictions last?", *FAQ_ASKED)
    assert (reading.act, reading.value) == ("faq", "ban_duration")
    answer, reminder = payloads(msgs)
    assert answer == {"type": "answer", "topic": "ban_duration"}
    assert reminder == {"type": "question", "evidence": "vpn_or_proxy", "reminder": True}
    assert engine.kb.faq["ban_duration"]["answer"] in texts(msgs) and d.pending_question == "vpn_or_proxy"


def test_a_faq_mid_fix_keeps_the_fix_pending(engine, talk):
    d = trying(engine, "restart_device")
    _, msgs = talk(d, "how long do these restrictions last?", *FAQ_ASKED)
    kinds = [(p["type"], p.get("topic") or p.get("fix")) for p in payloads(msgs)]
    assert kinds == [("answer", "ban_duration"), ("fix", "restart_device")] and payloads(msgs)[-1]["reminder"]
    assert d.pending_fix == "restart_device" and d.failed == []


def test_how_to_check_and_why_asked_are_answers_about_the_pending_question(engine, talk):
    d = asking(engine, "vpn_or_proxy")
    _, msgs = talk(d, "how do i check that", ("ask_how_to_check", 0.9))
    assert payloads(msgs)[0] == {"type": "answer", "topic": "how_to_check", "evidence": "vpn_or_proxy"}
    assert payloads(msgs)[-1]["type"] == "question" and payloads(msgs)[-1]["reminder"]
    d = asking(engine, "vpn_or_proxy")
    _, msgs = talk(d, "why are you asking me that", ("ask_why", 0.9))
    assert {"type": "answer", "topic": "why_asked", "evidence": "vpn_or_proxy"} in payloads(msgs)


def test_a_confirmation_names_what_it_would_do(engine, talk):
    d = asking(engine, "vpn_or_proxy")
    reading, msgs = talk(d, "hmm i think i have a different problem actually", ("nlu_fallback", 0.4))
    assert reading.act == "confirm" and payloads(msgs)[-1] == {"type": "confirm", "action": "start_over"}
    assert buttons(msgs) == ["/start_over", "/deny"]


def test_a_resolution_says_fixed_or_explained(engine, talk):
    d = trying(engine, "switch_network")
    _, msgs = talk(d, '/fix_worked{"fix":"switch_network"}')
    assert payloads(msgs)[-1] == {"type": "resolved", "fix": "switch_network", "outcome": "fixed"}
    d = trying(engine, "blocked_info")
    _, msgs = talk(d, '/fix_worked{"fix":"blocked_info"}')
    assert payloads(msgs)[-1] == {"type": "resolved", "fix": "blocked_info", "outcome": "explained"}


def test_success_and_a_question_in_one_message_resolves_then_answers(engine, kb):
    from troubleshooter.dialogue import respond
    from troubleshooter.reading import Turn, read

    d = trying(engine, "update_app")
    text = "done, it sent — do I still need to update my phone?"
    clauses = (
        ("done, it sent", (("fix_worked", 0.8),), 0.1),
        ("do I still need to update my phone?", (("faq_ban_duration", 0.7),), 0.9),
    )
    turn = Turn(text, (("faq_ban_duration", 0.6), ("fix_worked", 0.3)), {}, {}, clauses, asks=0.9)
    reading = read(turn, d, kb.symptoms.keys())
    assert (reading.act, reading.value) == ("result", "worked") and reading.asks == ["ban_duration"]
    kinds = [p["type"] for p in payloads(respond(engine, d, reading))]
    assert kinds == ["resolved", "answer"] and d.status == "resolved"


def test_an_answer_and_a_question_in_one_message_records_the_answer_then_answers(engine, kb):
    from troubleshooter.dialogue import respond
    from troubleshooter.reading import Turn, read

    d = asking(engine, "vpn_or_proxy")
    clauses = (
        ("no vpn here", (("deny", 0.9),), 0.1),
        ("but how long do bans last?", (("faq_ban_duration", 0.8),), 0.9),
    )
    turn = Turn("no vpn here, but how long do bans last?", (("faq_ban_duration", 0.7),), {}, {}, clauses, asks=0.9)
    reading = read(turn, d, kb.symptoms.keys())
    assert (reading.act, reading.value) == ("answer", "no") and reading.asks == ["ban_duration"]
    msgs = respond(engine, d, reading)
    assert d.evidence["vpn_or_proxy"] == "no" and payloads(msgs)[0] == {"type": "answer", "topic": "ban_duration"}
    assert payloads(msgs)[-1]["type"] in ("question", "fix")


def test_a_question_in_one_clause_that_the_whole_message_already_asks_is_answered_once(engine, kb):
    from troubleshooter.dialogue import respond
    from troubleshooter.reading import Turn, read

    d = asking(engine, "vpn_or_proxy")
    clauses = (("hmm", (("acknowledge", 0.4),), 0.1), ("how long do bans last?", (("faq_ban_duration", 0.8),), 0.9))
    turn = Turn("hmm. how long do bans last?", (("faq_ban_duration", 0.9),), {}, {}, clauses, asks=0.9)
    reading = read(turn, d, kb.symptoms.keys())
    assert reading.act == "faq" and reading.asks == []
    assert [p["type"] for p in payloads(respond(engine, d, reading))] == ["answer", "question"]


def test_a_confident_success_that_also_asks_something_is_a_success(engine, talk):
    d = trying(engine, "disable_vpn_proxy")
    reading, msgs = talk(
        d, "it sent!! do i have to keep it off from now on?", ("fix_worked", 0.8), ("faq_vpn_ban", 0.1)
    )
    assert (reading.act, reading.value) == ("result", "worked") and d.status == "resolved"
    d = trying(engine, "disable_vpn_proxy")
    reading, _ = talk(d, "did it but why would that even work?", ("fix_worked", 0.3), ("ask_why", 0.3))
    assert reading.act != "result"


def test_an_aside_whose_clause_is_answered_does_not_also_say_it_cannot_answer(engine, kb):
    from troubleshooter.dialogue import respond
    from troubleshooter.reading import Reading
    from troubleshooter.texts import t

    d = asking(engine, "only_one_recipient")
    msgs = respond(engine, d, Reading("aside", asks=["network"], how="a question I can't answer"))
    assert payloads(msgs)[0] == {"type": "answer", "topic": "network"}
    assert t("aside.cannot_answer") not in texts(msgs) and payloads(msgs)[-1]["type"] == "question"
    msgs = respond(engine, d, Reading("aside", how="a question I can't answer"))  # nothing answered: say so
    assert t("aside.cannot_answer") in texts(msgs) and payloads(msgs)[-1]["type"] == "question"
