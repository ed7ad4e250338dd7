"""A hand-over carries the conversation: the problem in the user's words, only facts they stated
or answered, the fixes tried; never an empty summary, also when a person is the first request."""

from tests.unit.states import asking, payloads, texts
from troubleshooter.state import Diagnosis


def handoff(msgs):
    return next(p for p in payloads(msgs) if p["type"] == "handoff")


def test_a_person_asked_for_in_the_first_message_gets_the_problem_said_there(talk):
    d = Diagnosis()
    words = "talk to a human please, my messages keep failing with a red exclamation mark"
    reading, msgs = talk(d, words, ("human_handoff", 0.55), ("symptom_send_failed", 0.4), ("symptom_cant_send", 0.05))
    assert reading.act == "handoff" and d.status == "handed_over"
    summary = handoff(msgs)["summary"]
    assert summary["symptom"] == "send_failed" and summary["said"] == [words]
    assert f'In your words: "{words}"' in texts(msgs) and "Problem:" in texts(msgs)


def test_a_bare_request_for_a_person_says_nothing_is_known_yet(talk):
    d = Diagnosis()
    _, msgs = talk(d, "can i talk to a real person", ("human_handoff", 0.9))
    lines = texts(msgs).split("\n")
    follows = next(i for i, line in enumerate(lines) if "summary" in line)
    assert lines[follows + 1].startswith("- Problem: not described yet")
    assert handoff(msgs)["summary"]["said"] == [] and handoff(msgs)["summary"]["evidence"] == {}


def test_the_summary_has_what_was_said_and_answered_and_nothing_else(engine, talk):
    d = Diagnosis()
    opening = "i can't message one person, everyone else gets my dms"
    talk(d, opening, ("symptom_one_person", 0.9))
    d2 = asking(engine, "vpn_or_proxy", "one_person")
    d2.said, d2.evidence = list(d.said), dict(d.evidence)
    talk(d2, "no vpn", ("deny", 0.9))
    _, msgs = talk(d2, "talk to a human", ("human_handoff", 0.9))
    summary = handoff(msgs)["summary"]
    assert summary["evidence"]["vpn_or_proxy"] == "no" and summary["said"] == [opening]
    assert "only_one_recipient" not in summary["evidence"] or d2.evidence.get("only_one_recipient")
    assert set(summary["evidence"]) == set(d2.evidence)
    note = handoff(msgs)["note"]
    assert f'In their words: "{opening}"' in note and "VPN" in note


def test_why_a_fix_could_not_be_tried_reaches_the_person_taking_over(engine, talk):
    d = Diagnosis()
    opening = "my messages won't send to anyone, the app also closes by itself sometimes"
    talk(d, opening, ("symptom_cant_send", 0.9))
    d.pending = {"type": "fix", "fix": "update_app", "kind": engine.kb.fixes["update_app"].kind}
    why = "the play store says my device isn't compatible with this version, my phone is on android 7"
    reading, _ = talk(d, why, ("fix_failed", 0.3), ("inform", 0.2))
    assert reading.act in ("skip", "result")
    talk(d, "no", ("deny", 0.9))
    _, msgs = talk(d, "talk to a human", ("human_handoff", 0.9))
    said = handoff(msgs)["summary"]["said"]
    assert said[0] == opening and why in said
    assert f"{opening} / {why}" in handoff(msgs)["note"]


def test_a_bare_outcome_or_answer_is_not_kept_as_a_description(engine, talk):
    d = Diagnosis()
    opening = "messages fail with a red mark"
    talk(d, opening, ("symptom_send_failed", 0.9))
    d.pending = {"type": "fix", "fix": "restart_device", "kind": engine.kb.fixes["restart_device"].kind}
    talk(d, "nope still the same", ("fix_failed", 0.9))
    assert d.said == [opening]


def test_the_first_description_stays_when_many_follow():
    from troubleshooter.dialogue import _keep_words
    from troubleshooter.state import SAID_KEPT

    d = Diagnosis()
    for i in range(SAID_KEPT + 3):
        _keep_words(d, f"words {i}")
    assert d.said == ["words 0", *[f"words {i}" for i in range(4, SAID_KEPT + 3)]]
    assert len(d.said) == SAID_KEPT


def test_only_words_that_say_more_than_the_reply_are_kept(engine):
    from tests.unit.states import asking, trying
    from troubleshooter.dialogue import respond
    from troubleshooter.reading import Reading

    def kept(d, reading):
        d.said = ["it fails"]
        respond(engine, d, reading)
        return d.said[1:]

    age = Reading("answer", "yes", target="under_16", facts={"under_16": "yes", "age_16_17": "no"}, words="i'm 14")
    assert kept(asking(engine, "under_16"), age) == []  # one age answers both age questions
    again = Reading("answer", "no", target="weak_signal", facts={"weak_signal": "no", "vpn_or_proxy": "no"}, words="no")
    d = asking(engine, "weak_signal")
    d.evidence["vpn_or_proxy"] = "no"
    assert kept(d, again) == []  # a fact told before is no news
    words = "no, and my account is three days old"
    new = Reading("answer", "no", target="weak_signal", facts={"weak_signal": "no", "new_account": "yes"}, words=words)
    assert kept(asking(engine, "weak_signal"), new) == [words]
    why = "can't, the app store on my mum's phone has her password"
    assert kept(trying(engine, "update_app"), Reading("skip", target="update_app", words=why)) == [why]
    assert kept(trying(engine, "update_app"), Reading("skip", target="update_app", words="cant")) == []
    lost = "never mind forget it i'll do it later"
    assert kept(trying(engine, "update_app"), Reading("unclear", words=lost)) == []


def test_a_stored_diagnosis_keeps_the_first_description():
    from troubleshooter.state import SAID_CHARS, SAID_KEPT

    said = ["x" * (SAID_CHARS + 5), *[f"later {i}" for i in range(SAID_KEPT + 2)]]
    restored = Diagnosis.from_dict({"said": said}).said
    assert restored[0] == "x" * (SAID_CHARS - 1) + "…" and len(restored) == SAID_KEPT and restored[-1] == said[-1]


def test_long_words_are_cut_at_a_words_end():
    """Role-played (2026-12-07): the summary's "In your words" ended mid-word ("...hurting my busin")."""
    from troubleshooter.state import SAID_CHARS, clipped

    story = "my small shop sends promos to customers and " * 10
    cut = clipped(story)
    assert len(cut) <= SAID_CHARS and cut.endswith("…") and story.startswith(cut[:-1])
    assert cut[:-1].split()[-1] in story.split() and clipped("short one") == "short one"
