"""Turns read in context: the examples of issue 10, each with the NLU ranking
that misled the old assistant written into the test, so the reading has to
come from the context, the cues and the facts rather than the top intent."""

from dataclasses import replace

import pytest

from tests.unit.states import asking, payloads, texts, trying
from troubleshooter.cues import result_cue
from troubleshooter.dialogue import respond
from troubleshooter.reading import ASIDE, Reading, Turn, read
from troubleshooter.state import Diagnosis
from troubleshooter.texts import t, texts_for


def test_no_its_everyone_answers_the_question_instead_of_starting_over(engine, talk):
    d = asking(engine, "only_one_recipient")
    reading, msgs = talk(d, "no its everyone", ("symptom_one_person", 0.85), ("deny", 0.08))
    assert (reading.act, reading.value) == ("answer", "no")
    assert d.evidence["only_one_recipient"] == "no" and d.symptoms == ["send_failed"]
    assert "blocked" not in texts(msgs).lower()


@pytest.mark.parametrize(
    "text, value",
    [
        ("yes, 110%", "yes"),
        ("ya", "yes"),
        ("Yes, I can watch all of his videos.", "yes"),
        ("not that i know of", "no"),
        ("nah mate", "no"),
        ("idk tbh", "unsure"),
        ("no, i don't know", "unsure"),
        ("👍", "yes"),
    ],
)
def test_answers_in_any_wording(engine, talk, text, value):
    d = asking(engine, "recipient_profile_visible")
    reading, _ = talk(d, text, ("nlu_fallback", 0.35), ("inform", 0.3), ("out_of_scope", 0.2))
    assert (reading.act, reading.value) == ("answer", value)
    assert d.evidence["recipient_profile_visible"] == value


@pytest.mark.parametrize(
    "qid, text, value",
    [
        ("many_messages_sent", "I did maybe 60 or 70 this morning", "yes"),  # dev34: the hedge is on the number
        ("many_messages_sent", "maybe like 50 msgs idk", "unsure"),  # the fact reader reads nothing sure
        ("message_has_link", "maybe there was a link in it", "unsure"),  # review: no count, the fact hedged
        ("recipient_profile_visible", "maybe, i think i can see her profile", "unsure"),
    ],
)
def test_a_hedge_word_beside_a_count_hedges_the_number_not_the_answer(engine, talk, certainty_of, qid, text, value):
    d = asking(engine, qid)
    reading, _ = talk(d, text, ("unsure", 0.25), ("inform", 0.2))
    assert (reading.act, reading.value) == ("answer", value), (reading.how, certainty_of(text))
    doubt_read_surely = asking(engine, qid)
    reading, _ = talk(doubt_read_surely, text, ("unsure", 0.8))
    assert (reading.act, reading.value) == ("answer", "unsure")


def test_where_would_i_see_that_explains_how_to_check_then_moves_on(engine, talk, kb):
    d = asking(engine, "unverified_account")
    reading, msgs = talk(d, "where would i even see that", ("ask_why", 0.5))
    assert reading.act == "how_to_check"
    assert kb.evidence["unverified_account"].how_to_check in texts(msgs)
    assert payloads(msgs)[-1] == {"type": "question", "evidence": "unverified_account", "reminder": True}
    reading, msgs = talk(d, "still cant find it", ("inform", 0.4))
    assert d.evidence["unverified_account"] == "unsure"
    assert payloads(msgs)[-1].get("evidence") != "unverified_account"


def test_an_answer_with_a_fact_records_both(engine, talk):
    d = asking(engine, "weak_signal")
    reading, _ = talk(d, "no but im on the school wifi", ("deny", 0.6))
    assert d.evidence["weak_signal"] == "no" and d.evidence["vpn_or_proxy"] == "yes"


def test_a_stated_fact_wins_over_the_answer_word(engine, talk):
    d = asking(engine, "vpn_or_proxy")
    talk(d, "no but im on the school wifi if that matters", ("deny", 0.7))
    assert d.evidence["vpn_or_proxy"] == "yes"


def test_typed_number_picks_the_numbered_choice(engine, talk):
    d = asking(engine, "vpn_or_proxy")
    reading, _ = talk(d, "2", ("nlu_fallback", 0.3))
    assert (reading.act, reading.value, reading.target) == ("answer", "no", "vpn_or_proxy")


def test_a_word_inside_a_sentence_does_not_start_over(engine, talk):
    d = asking(engine, "only_one_recipient")
    before = d.to_dict()
    reading, msgs = talk(d, "ANYONE. i said that at the start", ("start_over", 0.62), ("deny", 0.2))
    assert reading.act == "answer" and d.evidence["only_one_recipient"] == "no"
    assert d.symptoms == before["symptoms"] and "start over" not in texts(msgs).lower()


def test_unclear_start_over_asks_first_and_no_keeps_everything(engine, talk):
    d = asking(engine, "weak_signal")
    d.evidence["vpn_or_proxy"] = "no"
    reading, msgs = talk(d, "hmm whatever lets go again", ("start_over", 0.7))
    assert reading.act == "confirm" and payloads(msgs)[-1] == {"type": "confirm", "action": "start_over"}
    assert d.evidence["vpn_or_proxy"] == "no"
    reading, msgs = talk(d, "no", ("deny", 0.9))
    assert reading.act == "resume" and d.pending_question == "weak_signal"
    assert d.evidence["vpn_or_proxy"] == "no"


def test_a_clear_request_for_a_person_inside_a_longer_message(engine, talk):
    d = asking(engine, "weak_signal")
    reading, msgs = talk(d, "I AM sending text… Can I talk to a real person please?", ("nlu_fallback", 0.3))
    assert reading.act == "handoff" and d.status == "handed_over"
    assert payloads(msgs)[-1]["type"] == "handoff"


def test_a_denial_is_not_a_fact(engine, talk):
    d = asking(engine, "recipient_profile_visible", symptom="one_person")
    reading, msgs = talk(d, "nobody blocked me. this is useless", ("symptom_one_person", 0.5))
    assert d.evidence.get("recipient_profile_visible") != "no"
    assert engine.belief(d)["blocked_by_recipient"] < 0.5


def test_a_question_is_not_a_fact(engine, talk, stated):
    assert "ban_notice" not in stated("will my account get banned for this")
    d = asking(engine, "vpn_or_proxy")
    talk(d, "will my account get banned for this", ("faq_ban_duration", 0.6))
    assert "ban_notice" not in d.evidence


def test_success_in_slang_ends_the_conversation(engine, talk):
    d = trying(engine, "switch_network")
    reading, msgs = talk(d, "messages going thru now!!", ("fix_worked", 0.49), ("symptom_send_stuck", 0.2))
    assert (reading.act, reading.value) == ("result", "worked")
    assert d.status == "resolved" and payloads(msgs)[-1] == {
        "type": "resolved",
        "fix": "switch_network",
        "outcome": "fixed",
    }


@pytest.mark.parametrize("text", ["nothing changed", "no dice", "i already tried that", "still the same ugh"])
def test_failure_in_own_words_moves_to_the_next_fix(engine, talk, text):
    d = trying(engine, "switch_network")
    reading, msgs = talk(d, text, ("deny", 0.5))
    assert (reading.act, reading.value) == ("result", "failed")
    assert "switch_network" in d.failed


def test_ok_while_a_fix_is_pending_waits(engine, talk):
    d = trying(engine, "clear_cache")
    reading, msgs = talk(d, "ok trying now", ("acknowledge", 0.8))
    assert reading.act == "ack" and d.pending_fix == "clear_cache" and d.status == "active"


def test_a_problem_report_misread_as_success_starts_a_diagnosis(engine, talk):
    d = Diagnosis()
    reading, msgs = talk(
        d,
        "was texting my friends nonstop all day and now it wont send",
        ("fix_worked", 0.6),
        ("symptom_cant_send", 0.2),
    )
    assert "glad" not in texts(msgs).lower()
    assert d.active and d.evidence.get("many_messages_sent") == "yes"


def test_a_report_with_facts_but_no_clear_symptom_starts_from_the_facts(engine, talk):
    d = Diagnosis()
    reading, msgs = talk(
        d,
        "is the whole app down or something? my sister cant send dms either",
        ("nlu_fallback", 0.35),
        ("out_of_scope", 0.3),
        ("symptom_cant_send", 0.25),
    )
    assert d.active and d.evidence.get("others_report_outage") == "yes"
    assert "didn't quite get" not in texts(msgs)


@pytest.mark.parametrize(
    "text, fact, cause, fixes",
    [
        (
            "my messages wont go through when im at my uncles farm, barely any bars there",
            "weak_signal",
            "network_weak_signal",
            {"switch_network", "improve_signal"},
        ),
        (
            "been messaging heaps of people for my small business and now nothing sends",
            "many_messages_sent",
            "spam_behavioral",
            {"slow_down", "wait_out_restriction"},
        ),
    ],
)
def test_stated_facts_in_the_opening_drive_the_diagnosis(engine, talk, text, fact, cause, fixes):
    d = Diagnosis()
    talk(d, text, ("symptom_cant_send", 0.45), ("symptom_one_person", 0.2))
    assert d.evidence[fact] == "yes"
    asked = []
    while d.pending_question:  # someone who isn't sure of anything else
        asked.append(d.pending_question)
        talk(d, "not sure", ("unsure", 0.9))
    assert fact not in asked and len(asked) <= 3
    assert d.pending_fix in fixes, engine.belief(d)
    assert cause in list(engine.belief(d))[:2]


def test_a_misread_symptom_does_not_inject_its_implied_fact(engine, talk):
    d = Diagnosis()
    talk(d, "it keeps saying try again later", ("symptom_too_fast", 0.45), ("symptom_send_failed", 0.3))
    assert d.active and "too_fast_warning" not in engine.observed(d)


def test_a_confident_symptom_implies_its_fact_but_never_over_what_was_said(engine, talk):
    d = Diagnosis()
    talk(d, "its says im sending too fast", ("symptom_too_fast", 0.95))
    assert engine.observed(d)["too_fast_warning"] == "yes"
    d = Diagnosis()
    talk(d, "messages with links never arrive, but there's no link in mine", ("symptom_links_blocked", 0.9))
    assert engine.observed(d)["message_has_link"] == "no"


def test_a_keyword_does_not_drive_a_confident_wrong_fix(engine, talk):
    d = Diagnosis()
    talk(
        d,
        "followed hundreds of accounts for a giveaway and now i cant dm",
        ("symptom_links_blocked", 0.4),
        ("symptom_cant_send", 0.3),
    )
    assert engine.belief(d).get("spam_content_filter", 0) < 0.5
    assert d.pending_fix != "remove_links"


def test_the_same_question_is_shown_at_most_twice(engine, talk):
    d = asking(engine, "other_apps_work")
    shown = 1
    for text in ("hmm", "blah", "what even"):
        _, msgs = talk(d, text, ("out_of_scope", 0.3))
        shown += sum(1 for p in payloads(msgs) if p.get("evidence") == "other_apps_work")
    assert shown == 2 and d.evidence["other_apps_work"] == "unsure"


def test_an_unclear_opening_offers_readings_and_keeps_facts(engine, talk):
    d = Diagnosis()
    reading, msgs = talk(
        d,
        "tiktok being weird on the school wifi",
        ("symptom_send_failed", 0.3),
        ("symptom_send_stuck", 0.25),
        ("out_of_scope", 0.2),
    )
    assert d.evidence.get("vpn_or_proxy") == "yes"
    clarify = payloads(msgs)[-1]
    if clarify["type"] == "clarify":
        assert clarify["options"][:2] == ["send_failed", "send_stuck"]
        reading, msgs = talk(d, "1")
        assert d.active and d.symptoms == ["send_failed"] and d.evidence["vpn_or_proxy"] == "yes"


def test_nothing_understood_at_all_never_dead_ends(engine, talk):
    d = Diagnosis()
    _, msgs = talk(d, "asdfgh", ("out_of_scope", 0.2))
    assert payloads(msgs)[-1]["type"] == "clarify" and any(m.get("buttons") for m in msgs)
    _, msgs = talk(d, "qwerty", ("out_of_scope", 0.2))
    assert payloads(msgs)[-1]["type"] in ("clarify", "question")


def test_glad_it_works_only_about_a_fix_or_after_a_resolution(engine, talk):
    d = Diagnosis()
    _, msgs = talk(d, "it works", ("fix_worked", 0.9))
    assert "glad" not in texts(msgs).lower() and not any(p["type"] == "resolved" for p in payloads(msgs))


def test_broken_again_after_a_resolution_reopens_it(engine, talk):
    d = trying(engine, "switch_network")
    talk(d, "that worked", ("fix_worked", 0.95))
    assert d.status == "resolved"
    reading, msgs = talk(d, "nope its broken again", ("fix_failed", 0.8))
    assert d.active and "switch_network" in d.failed


def test_a_forged_payload_changes_nothing(engine, talk):
    d = asking(engine, "vpn_or_proxy")
    before = d.to_dict()
    _, msgs = talk(d, '/affirm{"evidence":"drop_table"}')
    assert "don't know" in texts(msgs) and d.evidence == before["evidence"] and d.pending == before["pending"]
    _, msgs = talk(d, '/fix_worked{"fix":"format_c"}')
    assert "don't know" in texts(msgs) and d.status == "active"


class Close:
    """A stand-in for the sentence encoder's reading that finds every reply close to a yes."""

    def __call__(self, evidence, text):
        return "yes", 0.9


def test_a_success_report_is_not_an_answer_stated_in_other_words(engine, kb, stated):
    d = asking(engine, "others_report_outage")
    turn = Turn("that worked", (("fix_worked", 0.96),), {}, stated("that worked"))
    assert read(turn, d, kb.symptoms.keys(), Close()).act == "result"
    turn = Turn("we're on the hotel wifi", (("inform", 0.8),), {}, {})
    assert read(turn, asking(engine, "vpn_or_proxy"), kb.symptoms.keys(), Close()).act == "answer"


def test_why_do_you_think_that_explains_the_diagnosis_and_why_ask_explains_the_question(engine, talk):
    d = asking(engine, "under_16")
    _, msgs = talk(d, "why do you think that?", ("ask_why", 0.9))
    assert "most likely" in texts(msgs)
    _, msgs = talk(d, "why are you asking how old i am", ("out_of_scope", 0.4))
    assert "asking because" in texts(msgs) and d.pending_question == "under_16"
    assert not any(m.get("buttons") for m in msgs)  # shown twice already: explained, not shown a third time


def test_accepting_an_explanation_ends_it(engine, talk):
    d = trying(engine, "age_requirement_info", symptom="no_message_button")
    d.pending["kind"] = "info"
    reading, msgs = talk(d, "ohh ok so thats why. ok thx", ("ask_why", 0.6))
    assert (reading.act, reading.value) == ("result", "worked") and d.status == "resolved"


def test_a_second_ok_asks_plainly_with_the_choices(engine, talk):
    d = trying(engine, "clear_cache")
    _, first = talk(d, "ok", ("acknowledge", 0.9))
    _, second = talk(d, "ok", ("acknowledge", 0.9))
    assert not any(m.get("buttons") for m in first)
    assert any(m.get("buttons") for m in second) and payloads(second)[-1]["reminder"] is True


def test_a_request_for_a_person_inside_an_answer_is_not_dropped(engine, talk, kb):
    d = asking(engine, "many_messages_sent")
    text = "NO. LIKE 3 MESSAGES TO MY COUSINS. AND YOU IGNORED ME, I ASKED FOR A HUMAN"
    clauses = (
        ("NO.", (("deny", 0.9),), 0.0),
        ("LIKE 3 MESSAGES TO MY COUSINS.", (("inform", 0.6),), 0.0),
        ("AND YOU IGNORED ME, I ASKED FOR A HUMAN", (("human_handoff", 0.8),), 0.1),
    )
    reading = read(Turn(text, (("deny", 0.5), ("human_handoff", 0.3)), {}, {}, clauses), d, kb.symptoms.keys())
    assert (reading.act, reading.value) == ("confirm", "handoff")
    assert reading.facts == {"many_messages_sent": "no"}  # the answer is kept
    reading, msgs = talk(d, "NO ITS EVERYONE. CAN I JUST TALK TO A REAL PERSON??", ("deny", 0.6))
    assert reading.act == "handoff" and payloads(msgs)[-1]["type"] == "handoff"


def test_a_confident_learned_outcome_wins_over_the_wording_cues(engine, talk):
    d = trying(engine, "verify_phone_email")
    reading, _ = talk(d, "added my number and it sent with no error this time", ("fix_worked", 0.93))
    assert (reading.act, reading.value) == ("result", "worked")
    d = trying(engine, "switch_network")
    reading, msgs = talk(d, "better on mobile data but videos still slow", ("fix_partial", 0.85))
    assert (reading.act, reading.value) == ("result", "partial") and d.partial == ["switch_network"]
    assert payloads(msgs)[-1]["type"] == "fix" and payloads(msgs)[-1]["fix"] != "switch_network"
    d = trying(engine, "switch_network")
    reading, _ = talk(d, "same thing, still fails", ("fix_partial", 0.55), ("fix_failed", 0.4))
    assert (reading.act, reading.value) == ("result", "failed")  # unsure of "partial": the cue decides


def test_the_pending_fix_makes_an_outcome_the_likelier_reading(engine, talk):
    d = trying(engine, "clear_cache")
    reading, _ = talk(d, "did it, nothing different", ("faq_tiktok_down", 0.3), ("fix_failed", 0.25))
    assert (reading.act, reading.value) == ("result", "failed") and d.failed == ["clear_cache"]


def test_the_same_ranking_with_nothing_pending_is_not_an_outcome(engine, talk):
    reading, _ = talk(Diagnosis(), "did it, nothing different", ("faq_tiktok_down", 0.3), ("fix_failed", 0.25))
    assert reading.act != "result"


def test_a_leaning_answers_the_question_asked_and_no_other(engine, kb):
    turn = Turn("made it like last week i think", (("inform", 0.4),), {}, {}, (), {"new_account": "yes"})
    d = asking(engine, "new_account")
    assert (read(turn, d, kb.symptoms.keys()).act, read(turn, d, kb.symptoms.keys()).value) == ("answer", "yes")
    other = asking(engine, "vpn_or_proxy")
    assert read(turn, other, kb.symptoms.keys()).act != "answer"


def test_an_item_named_in_a_how_to_check_question_is_no_answer(engine, kb):
    """Found in Portuguese: "como eu vejo se tô usando vpn ou proxy?" names the VPN, which the fact
    reader states; the question asks how to check it, so it is explained and still asked."""
    d = asking(engine, "vpn_or_proxy")
    pt = Turn(
        "como eu vejo se tô usando vpn ou proxy?",
        (("ask_how_to_check", 0.62), ("inform", 0.2)),
        facts={"vpn_or_proxy": "yes"},
        languages=(("pt", 0.99),),
        asks=0.99,
    )
    reading = read(pt, d, kb.symptoms.keys())
    assert reading.act == "how_to_check" and "vpn_or_proxy" not in reading.facts
    msgs = respond(engine, d, reading)
    assert "vpn_or_proxy" not in d.evidence and d.pending_question == "vpn_or_proxy"
    assert payloads(msgs)[0] == {"type": "answer", "topic": "how_to_check", "evidence": "vpn_or_proxy"}
    # a yes in words before the question still answers it
    en = Turn(
        "yes i use a vpn, how do i turn it off?",
        (("ask_how_to_check", 0.55), ("affirm", 0.3)),
        facts={"vpn_or_proxy": "yes"},
        languages=(("en", 0.99),),
        asks=0.99,
    )
    reading = read(en, d, kb.symptoms.keys())
    assert (reading.act, reading.value) == ("answer", "yes")


def test_a_topic_named_again_beside_an_answer_is_not_answered_again(engine, kb):
    """Found role-playing: "Not that I have seen. There is only that email about the login..." got the
    login answer a second and a third time. A clause that names an answered topic without asking
    does not get it again; a clause that asks it again does."""
    d = asking(engine, "ban_notice")
    login = ("There is only that email about the login from another country.", (("faq_suspicious_login", 0.9),))

    def said(asks):
        clauses = (("Not that I have seen.", (("deny", 0.9),), 0.01), (*login, asks))
        turn = Turn(f"Not that I have seen. {login[0]}", (("deny", 0.4),), clauses=clauses, asks=asks)
        reading = read(turn, d, kb.symptoms.keys())
        return reading, texts(respond(engine, d, reading))

    reading, said_first = said(0.05)
    assert reading.asks == ["suspicious_login"] and kb.faq["suspicious_login"]["answer"] in said_first
    assert d.answered == ["suspicious_login"]
    d.pending, d.asked = {"type": "question", "evidence": "violation_notice"}, [*d.asked, "violation_notice"]
    reading, said_again = said(0.05)
    assert reading.asks == [] and kb.faq["suspicious_login"]["answer"] not in said_again
    d.pending, d.asked = {"type": "question", "evidence": "vpn_or_proxy"}, [*d.asked, "vpn_or_proxy"]
    reading, asked_again = said(0.9)
    assert reading.asks == ["suspicious_login"] and kb.faq["suspicious_login"]["answer"] in asked_again


def test_a_question_read_as_an_answer_is_answered_too(engine, talk, kb):
    d = asking(engine, "vpn_or_proxy")
    reading, msgs = talk(d, "nope, can a vpn get u banned tho?", ("faq_vpn_ban", 0.45), ("deny", 0.3))
    assert (reading.act, reading.value) == ("answer", "no") and reading.asks == ["vpn_ban"]
    assert kb.faq["vpn_ban"]["answer"] in texts(msgs)


def test_a_follow_up_question_resolves_the_fix_only_beside_words_that_it_worked(engine, talk, kb):
    """A follow-up ("do I still need the update?") may come before the fix is done: asked alone it is
    answered and the fix still waits; beside a success (a clause that reads worked) the fix resolves."""
    d = trying(engine, "clear_cache")
    turn = Turn(
        "sends now! do i still need to update the app?",
        (("faq_followup_fix", 0.9),),
        clauses=(
            ("sends now!", (("fix_worked", 0.95),), 0.01, (("worked", 0.99),)),
            ("do i still need to update the app?", (("faq_followup_fix", 0.99),), 0.99, (("other", 0.99),)),
        ),
        asks=0.99,
    )
    reading = read(turn, d, kb.symptoms.keys())
    msgs = respond(engine, d, reading)
    assert (reading.act, reading.value, reading.asks) == ("result", "worked", ["followup_fix"])
    assert d.status == "resolved" and d.resolved_by == "clear_cache"
    assert texts(msgs).endswith(kb.faq["followup_fix"]["answer"])

    d = trying(engine, "clear_cache")
    reading, msgs = talk(d, "do i need to update my phone OS too?", ("faq_followup_fix", 0.9))
    assert (reading.act, reading.value) == ("faq", "followup_fix")
    assert d.status != "resolved" and d.pending_fix == "clear_cache"
    assert kb.faq["followup_fix"]["answer"] in texts(msgs) and payloads(msgs)[-1]["type"] == "fix"


def test_got_it_before_a_question_takes_the_fix_in_and_is_no_success(engine, kb):
    """A "got it." before a question (the readers' figures) takes the fix in: it is not done yet, so
    the question is answered and the fix still waits. "she got it" is still a success."""
    d = trying(engine, "clear_cache")
    turn = Turn(
        "got it. does a vpn get you banned tho",
        (("faq_vpn_ban", 0.97),),
        clauses=(
            ("got it.", (("acknowledge", 0.61), ("fix_worked", 0.21)), 0.003, (("trying", 0.71), ("worked", 0.26))),
            ("does a vpn get you banned tho", (("faq_vpn_ban", 0.99),), 0.99, (("other", 0.99),)),
        ),
        outcome=(("other", 0.95),),
        asks=0.98,
    )
    reading = read(turn, d, kb.symptoms.keys())
    msgs = respond(engine, d, reading)
    assert (reading.act, reading.value) == ("faq", "vpn_ban") and d.status == "active"
    assert d.pending_fix == "clear_cache" and kb.faq["vpn_ban"]["answer"] in texts(msgs)
    got = read(Turn("she got it", (("fix_worked", 0.44),), outcome=(("trying", 0.6),)), d, kb.symptoms.keys())
    assert (got.act, got.value) == ("result", "worked")
    assert result_cue("she never got it") == "failed" and result_cue("ok got it") is None
    # one clause that says it works and asks: the success the outcome reader hears, and the answer
    one = Turn(
        "works now, do i still need to update my phone?",
        (("faq_followup_fix", 0.95),),
        outcome=(("worked", 0.8), ("other", 0.2)),
        asks=0.99,
    )
    reading = read(one, d, kb.symptoms.keys())
    assert (reading.act, reading.value, reading.asks) == ("result", "worked", ["followup_fix"])
    unsure = read(replace(one, outcome=(("other", 0.86), ("worked", 0.1))), d, kb.symptoms.keys())
    assert (unsure.act, unsure.value) == ("faq", "followup_fix")


def test_a_question_no_topic_fits_beside_a_success_gets_the_honest_one_liner(engine, kb):
    """Found live in Spanish: "listo, ya funciona! gracias. una pregunta, tiktok avisa si alguien lee
    mis mensajes?" resolved the fix and said nothing to the question (its best topic was unsure)."""
    worked = ("listo, ya funciona! gracias.", (("fix_worked", 0.91),), 0.02, (("worked", 0.99),))
    asked = ("una pregunta, tiktok avisa si alguien lee mis mensajes?", (("faq_spam_ban", 0.11),), 0.99)

    def reply(*clauses):
        d = trying(engine, "update_app")
        turn = Turn(" ".join(c[0] for c in clauses), (("fix_worked", 0.36),), clauses=clauses, asks=0.98)
        reading = read(turn, d, kb.symptoms.keys())
        return d, reading, respond(engine, d, reading)

    d, reading, msgs = reply(worked, asked)
    assert (reading.act, reading.value, reading.asks) == ("result", "worked", [ASIDE])
    assert d.status == "resolved" and texts(msgs).endswith(t("aside.cannot_answer"))
    # a question out of scope is one too; a topic read surely enough is answered instead
    beyond = ("btw how do i get more followers fast?", (("out_of_scope", 0.76),), 0.99)
    assert reply(worked, beyond)[1].asks == [ASIDE]
    sure = (asked[0], (("faq_read_receipts", 0.6),), 0.99)
    assert reply(worked, sure)[1].asks == ["read_receipts"]
    # thanks, "what else?", a new problem or a request ask nothing the bot should refuse
    others = [
        ("thank you so much?", (("thanks", 0.8),)),
        ("anything else?", (("ask_other_fix", 0.4),)),
        ("but now my videos won't upload, why is that?", (("symptom_media_wont_send", 0.4),)),
        ("can you speak spanish please?", (("switch_language", 0.6),)),
        ("ok so what now?", (("acknowledge", 0.3),)),
    ]
    for text, ranking in others:
        d, reading, msgs = reply(worked, (text, ranking, 0.9))
        assert reading.asks == [] and t("aside.cannot_answer") not in texts(msgs), text


def test_an_unsure_why_about_the_pending_fix_is_explained_not_set_aside(engine, talk):
    d = trying(engine, "clear_cache")
    reading, _ = talk(d, "what would that even change?", ("faq_data_loss", 0.4), ("ask_why", 0.2))
    assert reading.act == "why"


def test_an_unsure_faq_with_a_problem_beside_it_is_answered_and_diagnosed(engine, talk, kb):
    d = Diagnosis()
    text = "is tiktok down?? my dms wont load or send and twitter is full of ppl saying the same"
    reading, msgs = talk(d, text, ("faq_tiktok_down", 0.49), ("symptom_cant_send", 0.41))
    assert reading.act == "report" and reading.asks == ["tiktok_down"] and d.active
    assert kb.faq["tiktok_down"]["answer"] in texts(msgs) and payloads(msgs)[-1]["type"] in ("question", "fix")


def test_it_did_work_after_a_misread_failure_credits_that_fix(engine, talk):
    d = trying(engine, "clear_cache")
    talk(d, "still nothing", ("fix_failed", 0.9))
    assert d.failed == ["clear_cache"] and d.pending_kind in ("question", "fix")
    if d.pending_kind == "fix":  # the correction is read the same way whichever step came next
        d.pending = {"type": "question", "evidence": "vpn_or_proxy"}
    reading, _ = talk(d, "no you misunderstood, it DID help, all sending now", ("fix_worked", 0.85))
    assert (reading.act, reading.value, reading.target) == ("result", "worked", "clear_cache")
    assert d.status == "resolved" and d.resolved_by == "clear_cache" and d.failed == []


def test_the_outcome_reader_decides_a_reply_while_a_fix_waits(engine, kb):
    d = trying(engine, "ask_follow_back")
    turn = Turn("he followed back n now the button is there", (("symptom_no_message_button", 0.54),))
    assert read(turn, d, kb.symptoms.keys()).act != "result"  # the intent classifier hears a symptom
    outcome = (("worked", 0.83), ("partial", 0.1), ("other", 0.07))
    reading = read(Turn(turn.text, turn.intents, outcome=outcome), d, kb.symptoms.keys())
    assert (reading.act, reading.value, reading.target) == ("result", "worked", "ask_follow_back")
    for name, act in [("cant_try", "skip"), ("trying", "ack"), ("partial", "result")]:
        assert read(Turn("x", (), outcome=((name, 0.7),)), d, kb.symptoms.keys()).act == act
    assert read(Turn("x", (), outcome=(("worked", 0.45),)), d, kb.symptoms.keys()).act == "unclear"  # unsure
    assert read(Turn("x", (), outcome=(("other", 0.9),)), d, kb.symptoms.keys()).act == "unclear"


def test_an_unsure_outcome_opening_with_an_ok_is_asked_not_acknowledged(engine, kb):
    """ "aight, waited it out, sending again": the outcome reader leans to success without being sure;
    the "aight" is no acknowledgement that leaves the fix waiting: the reply is asked about."""
    d = trying(engine, "wait_out_restriction")
    text = "aight so i waited it out n they r sending again"
    ranking = (("fix_worked", 0.16), ("faq_followup_fix", 0.11), ("fix_partial", 0.09), ("acknowledge", 0.09))
    lean = Turn(text, ranking, outcome=(("worked", 0.62), ("failed", 0.2)))
    assert read(lean, d, kb.symptoms.keys()).act == "unclear"
    waiting = Turn(text, ranking, outcome=(("trying", 0.6),))  # the same words, heard as "I'll wait"
    assert read(waiting, d, kb.symptoms.keys()).act == "ack"


def test_an_unsure_success_worded_as_a_failure_is_not_taken(engine, kb):
    d = trying(engine, "clear_cache")
    turn = Turn("sent one but it still fails", (("fix_failed", 0.6),), outcome=(("worked", 0.6),))
    assert (read(turn, d, kb.symptoms.keys()).act, read(turn, d, kb.symptoms.keys()).value) == ("result", "failed")
    sure = Turn("sent one but it still fails", (("fix_failed", 0.6),), outcome=(("worked", 0.85),))
    assert read(sure, d, kb.symptoms.keys()).value == "worked"


def test_an_outcome_the_reader_all_but_rules_out_is_asked_about_not_taken(engine, kb):
    """The cues read "cant know if it worked until friday" as a failure (a negated "worked"); the
    outcome reader (a full ranking, from a role-play) gives failure almost nothing: the bot asks."""
    d = trying(engine, "wait_out_restriction")
    ranking = (("trying", 0.71), ("worked", 0.16), ("other", 0.08), ("partial", 0.03), ("failed", 0.01))
    turn = Turn("cant know if it worked until friday obviously lol", (("unsure", 0.24),), outcome=ranking)
    assert read(turn, d, kb.symptoms.keys()).act == "unclear"
    likely = (("trying", 0.45), ("failed", 0.3), ("worked", 0.15), ("other", 0.1))
    failed = read(replace(turn, outcome=likely), d, kb.symptoms.keys())
    assert (failed.act, failed.value) == ("result", "failed")


def test_an_unsure_success_is_not_taken_when_a_clause_plainly_says_it_failed(engine, kb):
    d = trying(engine, "switch_network")
    text = "didnt wrk. normal texts send fine on the same wifi tho"
    clauses = (("didnt wrk.", (("fix_failed", 0.97),), 0.04), ("normal texts send fine", (("inform", 0.3),), 0.0))
    mixed = Turn(text, (("inform", 0.3),), clauses=clauses, outcome=(("worked", 0.65), ("failed", 0.25)))
    assert (read(mixed, d, kb.symptoms.keys()).act, read(mixed, d, kb.symptoms.keys()).value) != ("result", "worked")
    plain = (("hmm.", (("fix_failed", 0.6),), 0.04), ("normal texts send fine", (("inform", 0.3),), 0.0))
    lean = Turn("hmm. normal texts send fine", (("inform", 0.3),), clauses=plain, outcome=(("worked", 0.7),))
    assert read(lean, d, kb.symptoms.keys()).value == "worked"  # no clause sure of it: the reader decides
    sure = Turn(text, (("inform", 0.3),), clauses=clauses, outcome=(("worked", 0.85), ("failed", 0.1)))
    assert read(sure, d, kb.symptoms.keys()).value == "worked"


def test_after_an_explanation_the_outcome_reader_is_not_taken(engine, kb):
    d = trying(engine, "age_requirement_info")
    assert read(Turn("ok", (("acknowledge", 0.9),), outcome=(("trying", 0.9),)), d, kb.symptoms.keys()).act != "ack"
    settled = Turn("ahh so that's why", (), outcome=(("failed", 0.7),))
    assert (read(settled, d, kb.symptoms.keys()).act, read(settled, d, kb.symptoms.keys()).value) == (
        "result",
        "worked",
    )


def test_trying_it_is_not_taken_from_words_that_report_an_outcome(engine, kb):
    d = trying(engine, "remove_links")
    reading = read(Turn("she got it now", (), outcome=(("trying", 0.78), ("worked", 0.1))), d, kb.symptoms.keys())
    assert (reading.act, reading.value) == ("result", "worked")
    assert read(Turn("gimme a sec", (), outcome=(("trying", 0.9),)), d, kb.symptoms.keys()).act == "ack"


def test_success_needs_more_than_a_lean_unless_the_words_say_so_too(engine, kb):
    d = trying(engine, "clear_cache")
    lol = read(Turn("lol", (), outcome=(("worked", 0.61),)), d, kb.symptoms.keys())
    assert lol.act != "result"
    went = read(Turn("it went through", (), outcome=(("worked", 0.6),)), d, kb.symptoms.keys())
    assert (went.act, went.value) == ("result", "worked")


def test_an_unsure_failure_worded_as_a_success_is_not_taken(engine, kb):
    d = trying(engine, "clear_cache")
    reading = read(Turn("no more errors", (), outcome=(("failed", 0.72),)), d, kb.symptoms.keys())
    assert (reading.act, reading.value) != ("result", "failed")


def test_a_clause_is_not_read_with_the_whole_messages_outcome(engine, kb):
    d = trying(engine, "clear_cache")
    clauses = (("why would that matter?", (("ask_why", 0.6),), 0.9), ("it still fails", (("fix_failed", 0.6),), 0.1))
    turn = Turn(
        "why would that matter? it still fails",
        (("ask_why", 0.6),),
        {},
        {},
        clauses,
        outcome=(("worked", 0.6),),
        asks=0.9,
    )
    assert read(turn, d, kb.symptoms.keys()).value != "worked"


def test_an_outcome_told_beside_a_question_is_read_from_its_own_clause(engine, kb):
    """Role-play rpG-04: the intent classifier reads the telling clause as the appeal FAQ by its
    words, but it asks nothing and the outcome reader hears a success in it: the fix worked, and the
    question beside it does not hide that. Without the clause's own outcome it is read as the FAQ."""
    d = trying(engine, "appeal_restriction")
    told = ("Fine. I submitted the appeal and they lifted it, I can message again.", (("faq_appeal", 0.65),), 0.05)
    asked = ("How do I make sure this doesn't happen again?", (("faq_followup_fix", 0.22),), 0.99)
    whole = (("faq_appeal", 0.68), ("fix_worked", 0.03))

    def reading(*clauses):
        turn = Turn(f"{told[0]} {asked[0]}", whole, clauses=clauses, outcome=(("worked", 0.59),), asks=0.95)
        return read(turn, d, kb.symptoms.keys())

    heard = reading((*told, (("worked", 0.93), ("other", 0.05))), asked)
    assert (heard.act, heard.value, heard.target) == ("result", "worked", "appeal_restriction")
    assert reading(told, asked).act == "faq"
    # read surely as the appeal FAQ, the clause is still the outcome, and how to appeal is not explained
    surely = (told[0], (("faq_appeal", 0.85),), 0.05, (("worked", 0.93),))
    heard = reading(surely, asked)
    assert (heard.act, heard.value) == ("result", "worked") and "appeal" not in heard.asks
    # a clause that asks is answered, and a success the outcome reader hears surely in it is taken
    # too (role-play rq-12: "...went right through to my granddaughter! Works now, do I still need
    # to update my phone?"); heard unsurely, it stays a question
    asking = (told[0], told[1], 0.9, (("worked", 0.93),))
    heard = reading(asking, asked)
    assert (heard.act, heard.value, heard.asks) == ("result", "worked", ["appeal"])
    assert reading((*asking[:3], (("worked", 0.6), ("other", 0.4))), asked).act == "faq"
    # nor is thanks before a question (role-play rpF-01: "Thank you. Before I do that, may I ask...")
    thanks = ("Thank you.", (("thanks", 0.82), ("fix_worked", 0.11)), 0.0, (("worked", 0.74),))
    assert reading(thanks, asked).act == "faq"


def test_working_again_while_a_question_waits_ends_it_when_both_readers_hear_it(engine, kb):
    """Role-play rq-07: "¡Ya está! Me siguieron ... y el mensaje se envió. Gracias" while a question
    waited was read as its yes. With the intents and the outcome reader both hearing a success the
    problem is solved (the last fix tried credited, if one failed before); the outcome reader alone
    also hears "yes everything else works fine", which stays an answer."""
    d = asking(engine, "sending_media_first")
    text = "¡Ya está! Me siguieron hace un rato, ahora sí me sale el botón y el mensaje se envió. Gracias"
    turn = Turn(text, (("fix_worked", 0.67), ("affirm", 0.2)), outcome=(("worked", 0.99),), languages=(("es", 1.0),))
    reading = read(turn, d, kb.symptoms.keys())
    assert (reading.act, reading.value, reading.target) == ("result", "worked", None)
    d.failed = ["ask_follow_back"]  # said to have failed: credited only when the words correct that
    assert read(turn, d, kb.symptoms.keys()).target is None
    corrected = replace(turn, intents=(("fix_worked", 0.9),))
    assert read(corrected, d, kb.symptoms.keys()).target == "ask_follow_back"
    # an answer that opens with yes or no is an answer, whatever else works
    no = Turn("no, and it worked fine last week", (("fix_worked", 0.51),), outcome=(("worked", 0.9),))
    assert read(no, d, kb.symptoms.keys()).act == "answer"
    answer = Turn(
        "yes everything else works fine", (("faq_followup_fix", 0.23), ("affirm", 0.2)), outcome=(("worked", 0.99),)
    )
    assert read(answer, d, kb.symptoms.keys()).act == "answer"


def test_a_success_in_one_clause_the_whole_message_is_heard_failing_is_asked_about(engine, kb):
    """In "cleared it. still failing, can i appeal?" (the readers' figures) 'cleared it.' leans to a
    success by its intents, and the outcome reader hears the whole message failing: the bot asks."""
    d = trying(engine, "clear_cache")
    turn = Turn(
        "cleared it. still failing, can i appeal?",
        (("faq_appeal", 0.66),),
        clauses=(
            ("cleared it.", (("fix_worked", 0.32), ("fix_failed", 0.2)), 0.01, (("worked", 0.72), ("failed", 0.19))),
            ("still failing, can i appeal?", (("faq_appeal", 0.84),), 0.99, (("other", 0.81), ("failed", 0.16))),
        ),
        outcome=(("failed", 0.57), ("other", 0.41)),
        asks=0.99,
    )
    reading = read(turn, d, kb.symptoms.keys())
    assert reading.act == "unclear" and reading.asks == ["appeal"]
    assert read(replace(turn, outcome=(("worked", 0.6),)), d, kb.symptoms.keys()).value == "worked"


def test_words_of_success_about_someone_else_do_not_end_on_a_clause_that_says_it_failed(engine, kb):
    """Role-play rpI-03: "can send" about a friend is a success cue, but the outcome reader hears
    surely in another clause that waiting changed nothing (whose intents lean weakly to fix_worked):
    that clause is the reply, a failure; beside a clause read as a success, whether it worked is asked;
    an unsure success of the whole message does not end it either."""
    d = trying(engine, "wait_for_service")
    about_her = "I do not see how it can be an outage, as Margaret can send messages to everybody else."
    waited = ("I waited as you said and it is no different.", (("fix_worked", 0.2), ("acknowledge", 0.12)), 0.0)
    asked = ("Is there a setting on my own phone that decides who may write to me?", (("ask_how_to_check", 0.17),), 0.9)

    def reading(failed: float, her: str = "faq_tiktok_down", whole: tuple = ("other", 0.56)):
        clauses = ((about_her, ((her, 0.3),), 0.2), (*waited, (("failed", failed), ("worked", 0.16))), asked)
        text = " ".join(c[0] for c in clauses)
        intents = (("ask_other_fix", 0.12), ("symptom_not_delivered", 0.1))
        return read(Turn(text, intents, clauses=clauses, outcome=(whole,)), d, kb.symptoms.keys())

    told = reading(0.81)
    assert (told.act, told.value, told.target) == ("result", "failed", "wait_for_service")
    assert reading(0.81, her="inform").act == "unclear"  # "...Margaret can send..." read as a success by its words
    assert reading(0.81, whole=("worked", 0.7)).value != "worked"
    # the threshold: without a clause surely failing, the words of success are still read so
    assert reading(0.6).value == "worked"


def test_a_failure_beside_a_complaint_is_not_reread_as_a_refusal_by_clause(engine, kb):
    d = trying(engine, "switch_network")
    clauses = (
        ("I told you already, I tried both.", (("ask_other_fix", 0.38),), 0.1),
        ("same problem", (("fix_failed", 0.57),), 0.0),
    )
    turn = Turn(
        "I told you already, I tried both. same problem",
        (("ask_other_fix", 0.22),),
        {},
        {},
        clauses,
        outcome=(("failed", 0.62),),
    )
    reading = read(turn, d, kb.symptoms.keys())
    assert (reading.act, reading.value) == ("result", "failed")


def test_an_unclear_message_offers_the_problems_its_clauses_read_as(kb):
    """A long message the NLU reads as nothing in particular; one clause reads as a message stuck
    on sending: that is offered first."""
    whole = (("faq_ban_duration", 0.22), ("symptom_cant_send", 0.13), ("symptom_inbox_crash", 0.11))
    clauses = (
        (
            "tiktok chat loading forever, msg not going.",
            (("symptom_send_stuck", 0.42), ("symptom_cant_send", 0.31)),
            0.0,
        ),
        ("i got the app from some site long ago", (("inform", 0.72), ("symptom_after_update", 0.12)), 0.0),
    )
    turn = Turn(
        "tiktok chat loading forever, msg not going. i got the app from some site long ago", whole, clauses=clauses
    )
    reading = read(turn, Diagnosis(), kb.symptoms.keys())
    assert reading.act == "unclear" and reading.options[0] == "send_stuck"


def test_a_symptom_repeated_while_an_explanation_waits_is_noted(engine, talk):
    """A fact beside a symptom the intent classifier is not sure of, while an info fix waits: noted
    as a report (a confidence about the fix's outcome was once passed on as the symptom itself)."""
    d = trying(engine, "age_requirement_info", "no_message_button")
    reading, msgs = talk(d, "my account is 2 days old", ("inform", 0.88), ("symptom_no_message_button", 0.003))
    assert reading.act == "report" and reading.symptom in (None, "no_message_button")
    assert d.evidence["new_account"] == "yes" and d.pending["fix"] == "age_requirement_info"
    assert payloads(msgs)[-1]["type"] == "fix"  # the explanation is shown again


def test_a_complaint_clause_is_no_answer(engine, kb):
    """'nobody blocked me. this is useless' to "can you see their profile?": the complaint, though
    a "no" is its second reading and a no is likely after a question, answers nothing."""
    d = asking(engine, "recipient_profile_visible")
    clauses = (
        ("nobody blocked me.", (("faq_block_signs", 0.5), ("inform", 0.36)), 0.2),
        ("this is useless", (("out_of_scope", 0.37), ("deny", 0.2)), 0.1),
    )
    turn = Turn("nobody blocked me. this is useless", (("faq_block_signs", 0.73),), {}, {}, clauses)
    reading = read(turn, d, kb.symptoms.keys())
    assert not (reading.act == "answer" and reading.value in ("yes", "no"))


def test_keyboard_mash_is_no_answer_however_the_question_weighs_it(engine, talk):
    """No word the readers know: a weak affirm (what DIET's character n-grams made of "vbnm fgh") is
    not weighed up into a yes by the pending question (a CI failure of 2026-12-03)."""
    d = asking(engine, "other_apps_work")
    reading, _ = talk(d, "vbnm fgh", ("affirm", 0.2), ("thanks", 0.15), ("deny", 0.09))
    assert reading.act != "answer" and "other_apps_work" not in d.evidence
    reading, _ = talk(asking(engine, "other_apps_work"), "ya", ("affirm", 0.2), ("thanks", 0.15), ("deny", 0.09))
    assert (reading.act, reading.value) == ("answer", "yes")  # a known word: the question weighs it as before
    reading, _ = talk(asking(engine, "other_apps_work"), "vbnm fgh", ("affirm", 0.37), ("thanks", 0.12))
    assert reading.act != "answer"  # a lead, however clear, over noise is no answer (the CI of 2026-12-04)


def test_markup_is_no_question_of_how_to_check_however_the_question_weighs_it(engine, talk):
    """'<script>alert(...)' read as ask_how_to_check 0.37 but asking nothing (the question reader):
    how to check is a question, taken from an unsure NLU only when the message asks."""
    markup = "<script>alert('x')</script><b>bold</b>"
    reading, _ = talk(asking(engine, "only_one_recipient"), markup, ("ask_how_to_check", 0.37), ("out_of_scope", 0.23))
    assert reading.act != "how_to_check"
    reading, _ = talk(asking(engine, "only_one_recipient"), "wheres that menu at?", ("ask_how_to_check", 0.37))
    assert reading.act == "how_to_check"


def test_a_first_message_that_asks_and_tells_is_answered_and_diagnosed_in_any_language(kb):
    """'o tiktok caiu? nenhuma msg vai...': the English cues cannot see the problem told beside the
    question; the question reader's clause that tells does. After a diagnosis, the same is a question."""
    clauses = (
        ("o tiktok caiu?", (("faq_tiktok_down", 0.94),), 0.99),
        ("nenhuma msg vai e meus amigos tao falando que com eles tb", (("symptom_cant_receive", 0.11),), 0.03),
    )
    whole = (("faq_tiktok_down", 0.37), ("faq_main_reasons", 0.14), ("symptom_cant_send", 0.08))
    text = "o tiktok caiu? nenhuma msg vai e meus amigos tao falando que com eles tb"
    turn = Turn(text, whole, clauses=clauses, languages=(("pt", 0.99),), asks=0.99)
    reading = read(turn, Diagnosis(), kb.symptoms.keys())
    assert reading.act == "report" and reading.asks == ["tiktok_down"]
    reading = read(turn, Diagnosis(status="resolved"), kb.symptoms.keys())
    assert (reading.act, reading.value) == ("faq", "tiktok_down")


def test_a_question_barely_read_as_about_the_step_is_an_aside(engine, kb):
    """'y si me hago otra cuenta me banean esa tambien?' while a question waits: it asks, and its best
    reading (how to check, 0.16) is too unsure to be about the step; an aside keeps the step."""
    d = asking(engine, "many_messages_sent")
    text = "y si me hago otra cuenta me banean esa tambien?"
    ranking = (
        ("faq_non_followers", 0.198),
        ("symptom_too_fast", 0.176),
        ("symptom_restricted_notice", 0.129),
        ("ask_how_to_check", 0.068),
        ("ask_why", 0.055),
        ("faq_ban_duration", 0.036),
    )
    reading = read(Turn(text, ranking, languages=(("es", 0.99),), asks=0.52), d, kb.symptoms.keys())
    assert reading.act == "aside"


def test_small_talk_well_ahead_of_other_readings_is_taken_when_nothing_waits(engine, kb):
    """'oi' (greet 0.47, well ahead) opens a Portuguese conversation: a greeting, though under 0.5; while a
    question waits, the same reading is no greeting (it may be a reply), and a close second makes it unsure."""
    turn = Turn("oi", (("greet", 0.47), ("affirm", 0.16), ("deny", 0.11)), languages=(("pt", 0.92),))
    reading = read(turn, Diagnosis(), kb.symptoms.keys())
    assert (reading.act, reading.value) == ("chat", "greet")
    assert read(turn, asking(engine, "vpn_or_proxy"), kb.symptoms.keys()).act != "chat"
    close = Turn("oi", (("greet", 0.4), ("affirm", 0.33)), languages=(("pt", 0.92),))
    assert read(close, Diagnosis(), kb.symptoms.keys()).act != "chat"


def test_clauses_that_disagree_on_the_outcome_are_asked_about(engine, kb):
    """'ok i turned the wifi off. still the same': the whole reads as a question, the first clause as
    a success and the second as a failure. Taking the first would end the diagnosis on a failure:
    which one it is, is asked (with the fix's choices)."""
    d = trying(engine, "switch_network")
    text = "ok i found the wifi thing and turned it off. still the same. its an old phone, dont know if that matters"
    whole = (("faq_followup_fix", 0.26), ("inform", 0.25))
    clauses = (
        ("ok i found the wifi thing and turned it off.", (("fix_worked", 0.9),), 0.0),
        ("still the same.", (("fix_failed", 0.95),), 0.0),
        ("its an old phone, dont know if that matters", (("inform", 0.6),), 0.1),
    )
    reading = read(Turn(text, whole, clauses=clauses), d, kb.symptoms.keys())
    assert reading.act == "unclear" and "disagree" in reading.how
    agreeing = (clauses[0], ("its an old phone, dont know if that matters", (("inform", 0.6),), 0.1))
    reading = read(Turn(text, whole, clauses=agreeing), d, kb.symptoms.keys())
    assert (reading.act, reading.value) == ("result", "worked")


def test_a_clause_that_asks_is_not_read_as_the_outcome(engine, kb):
    """'why that? the internet is ok here. is it maybe because I sent it to lots of people?': the
    last clause asks (the question reader is sure), though its words carry 'sent'. Read as the
    fix's outcome it would end the diagnosis on a question: no clause replies, nothing is
    resolved, and the question is kept."""
    d = trying(engine, "switch_network")
    text = "why that? the internet is ok here. is it maybe because I sent it to lots of people?"
    whole = (("ask_why", 0.34), ("faq_network", 0.13), ("inform", 0.1))
    clauses = (
        ("why that?", (("ask_why", 0.98),), 0.99),
        ("the internet is ok here.", (("inform", 0.5), ("fix_worked", 0.15)), 0.0),
        ("is it maybe because I sent it to lots of people?", (("symptom_too_fast", 0.2), ("unsure", 0.12)), 0.9),
    )
    reading = read(Turn(text, whole, clauses=clauses, asks=0.9), d, kb.symptoms.keys())
    assert not (reading.act == "result" and reading.value == "worked"), reading


def test_a_bare_yes_after_the_users_own_question_answers_that_question_not_the_bots(engine, kb):
    """'is tiktok down in my country right now? feels like it' while the VPN question waits: the last
    clause reads as affirm, but it follows the user's own question and names nothing asked, so it
    answers theirs; taken as the bot's it would record 'yes, I use a VPN' (a held-out side question
    of that kind, 2026-12-06). Also when the whole message reads as that yes. Told before the
    question, or with the asked thing in its words, it answers."""
    text = "is tiktok down in my country right now? feels like it"
    clauses = (
        ("is tiktok down in my country right now?", (("faq_tiktok_down", 0.9),), 0.97),
        ("feels like it", (("affirm", 0.7), ("unsure", 0.1)), 0.05),
    )
    for whole in ((("faq_tiktok_down", 0.62), ("affirm", 0.2)), (("faq_tiktok_down", 0.45), ("affirm", 0.3))):
        d = asking(engine, "vpn_or_proxy")
        reading = read(Turn(text, whole, clauses=clauses, asks=0.97), d, kb.symptoms.keys())
        assert (reading.act, reading.value) == ("faq", "tiktok_down"), whole
        assert "vpn_or_proxy" not in reading.facts and d.pending_question == "vpn_or_proxy"
    assert "'feels like it' left to it" in reading.how  # the second: the whole read as that yes
    whole = (("faq_tiktok_down", 0.62), ("affirm", 0.2))
    stated = Turn(text, whole, {}, {"vpn_or_proxy": "yes"}, clauses, asks=0.97)  # the fact reader hears it
    reading = read(stated, asking(engine, "vpn_or_proxy"), kb.symptoms.keys())
    assert (reading.act, reading.value, reading.target) == ("answer", "yes", "vpn_or_proxy")
    first = "feels like it. is tiktok down in my country right now?"
    before = Turn(first, whole, clauses=(clauses[1], clauses[0]), asks=0.97)
    reading = read(before, asking(engine, "vpn_or_proxy"), kb.symptoms.keys())
    assert (reading.act, reading.value, reading.asks) == ("answer", "yes", ["tiktok_down"])


def test_a_bare_answer_after_asking_why_the_bot_asks_answers_the_bot(engine, kb):
    """'why do you need to know? yes i do': the question is about the bot's own step, so the yes
    after it answers that step (only a question of the user's own topic takes a bare answer)."""
    text = "why do you need to know? yes i do"
    clauses = (("why do you need to know?", (("ask_why", 0.9),), 0.97), ("yes i do", (("affirm", 0.8),), 0.02))
    d = asking(engine, "vpn_or_proxy")
    reading = read(Turn(text, (("ask_why", 0.5), ("affirm", 0.3)), clauses=clauses, asks=0.97), d, kb.symptoms.keys())
    assert (reading.act, reading.value, reading.target) == ("answer", "yes", "vpn_or_proxy")


def test_a_span_of_days_after_the_users_own_question_still_answers_the_new_account_question(engine, kb):
    """'could that be why? made it like 3 days ago' while "is your account new?" waits: the number of
    days answers it, though it follows the user's own question (only a bare yes or no is left to theirs)."""
    text = "could that be why? made it like 3 days ago"
    clauses = (("could that be why?", (("ask_why", 0.9),), 0.98), ("made it like 3 days ago", (("affirm", 0.4),), 0.02))
    d = asking(engine, "new_account")
    reading = read(Turn(text, (("ask_why", 0.5), ("affirm", 0.3)), clauses=clauses, asks=0.98), d, kb.symptoms.keys())
    assert (reading.act, reading.value, reading.target) == ("answer", "yes", "new_account")


def test_doubt_read_surely_outweighs_a_half_stated_fact_in_any_language(engine, kb):
    """The wording cue for doubt is English; in other languages the learned "unsure" does its work."""
    d = asking(engine, "unverified_account")
    text, stated = "n sei se verifiquei, acho que só coloquei o email", {"unverified_account": "yes"}
    pt = (("pt", 0.99),)
    doubt = read(Turn(text, (("unsure", 0.87),), facts=stated, languages=pt), d, kb.symptoms.keys())
    assert (doubt.act, doubt.value) == ("answer", "unsure")
    lean = (("unsure", 0.4), ("inform", 0.3))  # doubt leads in context, not sure alone
    told = read(Turn(text, lean, facts=stated, languages=pt), d, kb.symptoms.keys())
    assert (told.act, told.value) == ("answer", "yes")  # no sure doubt: the stated fact answers
    for words, value in [("no, i dont think so", "no"), ("yes", "yes")]:  # a yes or no in words stands
        d = asking(engine, "vpn_or_proxy")
        worded = read(Turn(words, (("unsure", 0.6),)), d, kb.symptoms.keys())
        assert (worded.act, worded.value) == ("answer", value), words


def test_a_sure_question_about_the_step_is_not_taken_as_an_unsure_outcome(engine, kb):
    d = trying(engine, "clear_cache")
    text, question = "onde fica essa opção de liberar espaço?", (("ask_how_to_check", 0.87),)
    asked = read(Turn(text, question, outcome=(("cant_try", 0.5),), asks=0.96), d, kb.symptoms.keys())
    assert asked.act == "how_to_check"
    sure = read(Turn(text, question, outcome=(("cant_try", 0.85),), asks=0.96), d, kb.symptoms.keys())
    assert sure.act == "skip"  # the outcome reader, sure, still decides
    waiting = read(Turn(text, question, outcome=(("trying", 0.5),), asks=0.96), d, kb.symptoms.keys())
    assert waiting.act == "how_to_check"
    told = read(Turn(text, question, outcome=(("cant_try", 0.5),), asks=0.1), d, kb.symptoms.keys())
    assert told.act == "skip"  # words that ask nothing are no question
    pt = (("pt", 0.99),)  # no English cue to rescue it: a success with a why is still a success
    why = Turn("funcionou! por que isso aconteceu?", (("ask_why", 0.8),), outcome=(("worked", 0.75),), asks=0.99)
    worked = read(replace(why, languages=pt), d, kb.symptoms.keys())
    assert (worked.act, worked.value) == ("result", "worked")


def test_a_topic_the_whole_message_asks_is_answered_when_no_one_clause_asks_it(engine, kb):
    """The story that names the topic and the question that asks it can be apart: the answer is read
    from its clause, and the topic the whole message asks surely is answered too."""
    d = asking(engine, "violation_notice")
    clauses = (
        ("nothing like that", (("deny", 0.55),), 0.01),
        (
            "but yesterday i got an email that someone logged in from another city",
            (("faq_suspicious_login", 0.71),),
            0.3,
        ),
        ("what is that? was i hacked?", (("ask_why", 0.67),), 1.0),
    )
    text = " ".join(c[0] for c in clauses)
    reading = read(Turn(text, (("faq_suspicious_login", 0.68),), clauses=clauses, asks=0.96), d, kb.symptoms.keys())
    assert (reading.act, reading.value, reading.asks) == ("answer", "no", ["suspicious_login"])
    unsure = read(Turn(text, (("faq_suspicious_login", 0.4),), clauses=clauses, asks=0.96), d, kb.symptoms.keys())
    assert unsure.asks == []  # the whole not sure of the topic: not answered on a guess
    told = read(Turn(text, (("faq_suspicious_login", 0.68),), clauses=clauses, asks=0.2), d, kb.symptoms.keys())
    assert told.asks == []  # a story that asks nothing is no question
    # a clause that asks a topic of its own: that one is answered, not the one the story names
    appeal = (*clauses[:2], ("and how do i appeal?", (("faq_appeal", 0.7),), 0.99))
    own = read(Turn(text, (("faq_suspicious_login", 0.68),), clauses=appeal, asks=0.99), d, kb.symptoms.keys())
    assert own.asks == ["appeal"]


def test_doubt_read_in_a_whole_of_several_clauses_does_not_outweigh_a_clause_that_answers(engine, kb):
    """ "que no, que falla con todos. y no te he preguntado eso": the whole reads as doubt, the first
    clause answers no; the stated fact stands."""
    d = asking(engine, "only_one_recipient")
    clauses = (
        ("que no, que falla con todos.", (("deny", 0.6),), 0.0),
        ("y no te he preguntado eso", (("unsure", 0.6),), 0.2),
    )
    turn = Turn(
        "que no, que falla con todos. y no te he preguntado eso",
        (("unsure", 0.7),),
        facts={"only_one_recipient": "no"},
        clauses=clauses,
        languages=(("es", 0.99),),
    )
    reading = read(turn, d, kb.symptoms.keys())
    assert (reading.act, reading.value) == ("answer", "no")


def test_a_fact_answering_the_waiting_question_beside_a_question_is_the_reply(engine, kb):
    """Found in the dev replies written 2026-12-07: "twitter is full of ppl saying tiktok dms are down"
    to the outage question was read as the FAQ alone, and the fact it stated closed the question with
    no next step (a dead end). Now it answers the question, the FAQ is answered beside it, and the
    next step follows."""
    d = asking(engine, "others_report_outage")
    turn = Turn(
        "everyone on x is saying tiktok messages are down",
        (("faq_tiktok_down", 0.8), ("inform", 0.1)),
        facts={"others_report_outage": "yes"},
        asks=0.66,
    )
    reading = read(turn, d, kb.symptoms.keys())
    assert (reading.act, reading.value, reading.target) == ("answer", "yes", "others_report_outage")
    assert reading.asks == ["tiktok_down"]
    msgs = respond(engine, d, reading)
    assert d.evidence["others_report_outage"] == "yes" and kb.faq["tiktok_down"]["answer"] in texts(msgs)
    assert d.pending is not None and payloads(msgs)[-1]["type"] in ("question", "fix")


def test_a_question_answered_by_a_stated_fact_is_never_a_dead_end(engine, kb):
    """Whatever the turn is read as, a question its facts answered gives way to the next step."""
    d = asking(engine, "vpn_or_proxy")
    reading = Reading("chat", "thanks", facts={"vpn_or_proxy": "no"})  # small talk carrying the fact asked
    msgs = respond(engine, d, reading)
    assert d.evidence["vpn_or_proxy"] == "no" and d.pending is not None
    assert payloads(msgs)[-1]["type"] in ("question", "fix")


def test_an_explanation_accepted_in_other_words_ends_it_explained(engine, kb):
    """Role-played (2026-12-07): "so yeah she def blocked me, nothing i can do i guess" after the block
    explanation was read as it failing, and "ok so it is block only. nothing to do from my side" repeated
    the block signs. The outcome reader's "accepted" ends it explained; after a fix to try, it is an ok."""
    resigned = Turn(
        "so she blocked me, nothing i can do i guess", (("faq_block_signs", 0.6),), outcome=(("accepted", 0.8),)
    )
    d = trying(engine, "blocked_info")
    reading = read(resigned, d, kb.symptoms.keys())
    assert (reading.act, reading.value, reading.target) == ("result", "worked", "blocked_info")
    assert payloads(respond(engine, d, reading))[-1] == {
        "type": "resolved",
        "fix": "blocked_info",
        "outcome": "explained",
    }
    d = trying(engine, "clear_cache")
    assert read(resigned, d, kb.symptoms.keys()).act != "result"
    # the outcome's own words say more; a problem or a doubt told beside it is no acceptance
    works = Turn("ah that explains it, works now", (("fix_worked", 0.6),), outcome=(("accepted", 0.75),))
    reading = read(works, d, kb.symptoms.keys())
    assert (reading.act, reading.value) == ("result", "worked")
    d = trying(engine, "blocked_info")
    more = replace(resigned, text="guess he blocked me, oh well. wait, my other friend can't get my messages either")
    assert read(more, d, kb.symptoms.keys()).act != "result"


def test_after_it_is_solved_a_question_about_it_is_no_new_problem(engine, kb):
    """Role-played (2026-12-07): a question about what was found ("so basically the school wifi blocks it
    and i just use data there?") started a new diagnosis. Now it gets the honest one-liner; a problem told
    again, also as a question, is diagnosed."""

    def after_solved(turn):
        """(reading, messages, diagnosis) of `turn` sent once the VPN fix has worked."""
        d = trying(engine, "disable_vpn_proxy")
        engine.fix_result(d, "disable_vpn_proxy", True)
        reading = read(turn, d, kb.symptoms.keys())
        return reading, respond(engine, d, reading), d

    asked = Turn(
        "so the school wifi blocks it and i just use data there?",
        (("faq_network", 0.22), ("inform", 0.2)),
        facts={"vpn_or_proxy": "yes"},
        asks=0.8,
    )
    reading, msgs, d = after_solved(asked)
    assert reading.act == "aside" and d.status == "resolved" and not payloads(msgs)
    for again in (
        Turn("my dms stopped sending again, red mark", (("symptom_send_failed", 0.9),)),
        Turn("why can't my friend see my messages now?", (("symptom_not_delivered", 0.3), ("inform", 0.2)), asks=0.9),
    ):
        reading, _, d = after_solved(again)
        assert reading.act == "report" and d.status == "active", reading.how
    # a topic the knowledge base answers, asked with the fact it takes for granted (rs-06): answered, still solved
    topic = Turn(
        "Thank you. But must I always switch off the VPN when I write messages?",
        (("faq_filtered_network", 0.68), ("ask_how_to_check", 0.1)),
        facts={"vpn_or_proxy": "yes"},
        asks=0.97,
    )
    reading, msgs, d = after_solved(topic)
    assert (reading.act, reading.value, d.status) == ("faq", "filtered_network", "resolved"), reading.how
    assert payloads(msgs) == [{"type": "answer", "topic": "filtered_network"}]


def test_asking_why_this_fix_beside_a_success_only_the_outcome_reader_hears_keeps_the_fix(engine, kb):
    """rs-10 (2026-12-07): "Why outage sir? Normal messages are going. ..." after "Check whether TikTok
    is down" was taken as that fix working; a why beside words no intent reads as success is the why."""
    d = trying(engine, "wait_for_service")
    clauses = (
        ("Why outage sir?", (("ask_why", 0.6), ("faq_tiktok_down", 0.2)), 0.99, (("other", 0.97),)),
        ("Normal messages are going.", (("fix_worked", 0.4), ("faq_network", 0.05)), 0.01, (("worked", 0.81),)),
    )
    turn = Turn("Why outage sir? Normal messages are going.", (("ask_why", 0.4),), clauses=clauses, asks=0.99)
    turn = replace(turn, outcome=(("other", 0.999),))
    reading = read(turn, d, kb.symptoms.keys())
    assert reading.act == "why" and d.pending_fix == "wait_for_service", reading.how
    heard = read(replace(turn, outcome=(("other", 0.9),)), d, kb.symptoms.keys())  # the whole less sure of none
    assert (heard.act, heard.value) == ("result", "worked"), heard.how
    sure = ("It works now.", (("fix_worked", 0.98),), 0.0, (("worked", 0.99),))
    reading = read(replace(turn, clauses=(clauses[0], sure)), d, kb.symptoms.keys())
    assert (reading.act, reading.value) == ("result", "worked"), reading.how


def test_a_clause_read_unsurely_as_a_success_that_the_outcome_reader_hears_failing_is_no_success(engine, kb):
    """A clause the intents read as a success (fix_worked 0.5, or a word like "sent"), which the outcome
    reader hears failing (0.7), beside a clause that fails: the message failed, not "the clauses disagree";
    read surely as a success, the clauses still disagree and whether it worked is asked."""
    d = trying(engine, "restart_device")
    clauses = (
        ("did the restart like u said", (("fix_worked", 0.5), ("acknowledge", 0.1)), 0.01, (("failed", 0.7),)),
        ("still nothing goes through", (("fix_failed", 0.85),), 0.01, (("failed", 0.98),)),
        ("is it my phone?", (("ask_cause", 0.8),), 0.99, (("other", 0.98),)),
    )
    text = "did the restart like u said, still nothing goes through. is it my phone?"
    turn = Turn(text, (("ask_cause", 0.2), ("ask_other_fix", 0.15)), clauses=clauses, asks=0.9)
    turn = replace(turn, outcome=(("failed", 0.57), ("other", 0.3)))
    reading = read(turn, d, kb.symptoms.keys())
    assert (reading.act, reading.value) == ("result", "failed"), reading.how
    sure = (clauses[0][0], (("fix_worked", 0.9),), 0.01, (("failed", 0.7),))
    reading = read(replace(turn, clauses=(sure, *clauses[1:])), d, kb.symptoms.keys())
    assert reading.act == "unclear", reading.how


def test_a_clause_a_word_reads_as_a_success_that_the_outcome_reader_does_not_hear_is_no_success(engine, kb):
    """'why the link question? i only sent text' resolved the diagnosis: "sent" reads as a success to the
    wording cues, the outcome reader hears no outcome in that clause; it is no reply to the fix."""
    d = trying(engine, "update_app")
    clauses = (
        ("why the link question?", (("ask_why", 0.72),), 0.99, (("other", 0.99),)),
        ("i only sent text", (("inform", 0.22), ("fix_partial", 0.09)), 0.0, (("other", 0.34), ("worked", 0.2))),
    )
    turn = Turn("why the link question? i only sent text", (("ask_why", 0.51),), clauses=clauses, asks=0.7)
    reading = read(replace(turn, outcome=(("other", 0.98),)), d, kb.symptoms.keys())
    assert reading.act != "result" and d.pending_fix == "update_app", reading.how
    heard = (clauses[1][0], clauses[1][1], 0.0, (("worked", 0.7),))  # heard as a success: it is one
    reading = read(replace(turn, clauses=(clauses[0], heard), outcome=(("other", 0.98),)), d, kb.symptoms.keys())
    assert (reading.act, reading.value) == ("result", "worked"), reading.how


def test_a_reply_that_ends_with_a_goodbye_is_taken_and_the_next_step_left_for_later(engine, kb):
    """rv-06: "Não tem nada disso. [...] Obrigado, tchau." answered the question, then was asked the next
    one as if nothing else was said: the answer counts, and the step shown waits for their return."""
    d = asking(engine, "too_fast_warning")
    d.language = "pt"
    turn = Turn(
        "Não tem nada disso. Acho que vou esperar. Obrigado, tchau.",
        (("deny", 0.44), ("goodbye", 0.2)),
        clauses=(
            ("Não tem nada disso.", (("deny", 0.92),), 0.01, (("failed", 0.99),)),
            ("Acho que vou esperar.", (("acknowledge", 0.1),), 0.3, (("other", 0.35),)),
            ("Obrigado, tchau.", (("goodbye", 0.65), ("thanks", 0.21)), 0.01, (("other", 0.8),)),
        ),
    )
    reading = read(turn, d, kb.symptoms.keys())
    msgs = respond(engine, d, reading)
    assert (reading.act, reading.value, reading.leaving) == ("answer", "no", True)
    assert d.evidence["too_fast_warning"] == "no" and d.active and d.pending
    assert msgs[-1] == {"text": texts_for("pt")("chat.goodbye_pending")}
    assert payloads(msgs)[-1]["type"] in ("question", "fix")  # the step is shown before it

    d = asking(engine, "too_fast_warning")  # a goodbye only in a clause read unsurely: no farewell
    weak = replace(turn, clauses=(*turn.clauses[:2], ("Obrigado, tchau.", (("goodbye", 0.3),), 0.01, ())))
    reading = read(weak, d, kb.symptoms.keys())
    assert not reading.leaving and t("chat.goodbye_pending") not in texts(respond(engine, d, reading))


def test_a_goodbye_after_a_hand_over_does_not_start_a_new_diagnosis(engine, kb):
    """rv-01: after the hand-over, "u already told me its the age thing. ok thx bye" was asked "What
    happens when you try to send a message?"."""
    d = trying(engine, "restart_device")
    d.status, d.pending = "handed_over", None
    turn = Turn(
        "wait i dont need a person lol u already told me its the age thing. ok thx bye",
        (("inform", 0.15), ("ask_other_fix", 0.12)),
        clauses=(
            ("wait i dont need a person lol u already told me its the age thing.", (("inform", 0.21),), 0.02),
            ("ok thx bye", (("goodbye", 0.57), ("acknowledge", 0.15)), 0.02),
        ),
    )
    msgs = respond(engine, d, read(turn, d, kb.symptoms.keys()))
    assert msgs == [{"text": t("chat.goodbye")}] and d.status == "handed_over"


def test_a_goodbye_beside_an_unclear_reply_is_only_a_farewell(engine, kb):
    """rw-03: "ya udah deh kak, muter2 terus. [...] makasih, bye" while a fix waited was told "I couldn't
    tell whether that worked" and shown the fix again before the farewell."""
    d = trying(engine, "ask_follow_back")
    d.language = "id"
    turn = Turn(
        "ya udah deh kak, muter2 terus. makasih, bye",
        (("acknowledge", 0.3), ("goodbye", 0.25)),
        clauses=(
            ("ya udah deh kak, muter2 terus.", (("acknowledge", 0.3),), 0.01, (("other", 0.6),)),
            ("makasih, bye", (("goodbye", 0.8),), 0.01, (("other", 0.9),)),
        ),
    )
    reading = read(turn, d, kb.symptoms.keys())
    msgs = respond(engine, d, reading)
    assert reading.leaving and reading.act not in ("result", "skip"), reading.how
    assert msgs == [{"text": texts_for("id")("chat.goodbye_pending")}]
    assert d.pending_fix == "ask_follow_back" and not d.pending.get("pressed")


def test_a_problem_told_with_a_goodbye_after_a_resolution_is_a_new_problem(engine, kb):
    """Review (2026-12-08): "still cant send anything. thx bye" after a resolution got only "Bye!"."""
    d = trying(engine, "restart_device")
    engine.fix_result(d, "restart_device", True)
    turn = Turn(
        "still cant send anything. thx bye",
        (("inform", 0.2), ("goodbye", 0.2)),
        clauses=(
            ("still cant send anything.", (("inform", 0.3),), 0.01),
            ("thx bye", (("goodbye", 0.9),), 0.01),
        ),
    )
    reading = read(turn, d, kb.symptoms.keys())
    msgs = respond(engine, d, reading)
    assert reading.leaving and msgs != [{"text": t("chat.goodbye")}], reading.how
