"""The fix reader (nlu/done.py) trained on data/, and the outcome credited to the fix a reply says
was done (troubleshooter/reading.py). The replies below guard the training data: if one is misread,
add an example."""

from dataclasses import replace

import pytest
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.done import replies, training_set
from nlu.outcomes import OTHER
from tests.unit.states import asking, payloads, texts, trying
from troubleshooter.reading import DONE_SURE, NONE_READ, Turn, read
from troubleshooter.state import Diagnosis


@pytest.mark.parametrize(
    "text, fix",
    [
        ("switched my vpn off like you told me and now it goes", "disable_vpn_proxy"),
        ("rebooted the phone, messages go through now", "restart_device"),
        ("cleared the cache in settings, still failing", "clear_cache"),
        ("apagué el wifi y con datos se mandó", "switch_network"),
    ],
)
def test_the_fix_a_reply_names_is_read(done_of, text, fix):
    ranking = done_of(text)
    assert ranking[0][0] == fix and ranking[0][1] >= DONE_SURE, ranking


@pytest.mark.parametrize(
    "text", ["it works now!!", "still the same", "should i turn off my vpn?", "i don't even use a vpn", "thanks a lot"]
)
def test_a_reply_naming_nothing_done_credits_no_fix(done_of, text):
    ranking = done_of(text)
    assert ranking[0][0] == OTHER or ranking[0][1] < DONE_SURE, ranking


def test_the_readers_agree_on_the_name_of_none():
    assert NONE_READ == OTHER


def test_the_data_is_checked_against_the_knowledge_base(tmp_path):
    (tmp_path / "r.yml").write_text('done:\n  restart_device: ["rebooted it"]\n  other: ["works now"]\n')
    assert replies(tmp_path, {"restart_device"}) == [("rebooted it", "restart_device"), ("works now", OTHER)]
    (tmp_path / "r.yml").write_text('done:\n  reboot: ["rebooted it"]\n')
    with pytest.raises(ValueError, match="'reboot' is no fix"):
        replies(tmp_path, {"restart_device"})
    (tmp_path / "r.yml").write_text('outcome:\n  worked: ["works"]\n')
    with pytest.raises(ValueError, match="expected a top-level `done:`"):
        replies(tmp_path, {"restart_device"})


def test_questions_and_bare_answers_teach_none(tmp_path):
    (tmp_path / "r.yml").write_text('done:\n  restart_device: ["rebooted it"]\n')
    examples = [Message.build(t, i) for t, i in [("is tiktok down?", "faq_tiktok_down"), ("yes", "affirm")]]
    examples.append(Message.build("my dms fail", "symptom_send_failed"))
    texts, names = training_set(TrainingData(examples), tmp_path, {"restart_device"})
    assert list(zip(texts, names)) == [("rebooted it", "restart_device"), ("is tiktok down?", OTHER), ("yes", OTHER)]


def test_success_is_credited_to_the_fix_the_user_did(engine, talk):
    """Role-played (rp-02's kind): the VPN turned off while "Update TikTok" waited was credited to
    the update."""
    d = trying(engine, "update_app")
    reading, msgs = talk(d, "switched my vpn off like you told me and now it goes", ("fix_worked", 0.9))
    assert (reading.act, reading.value, reading.target) == ("result", "worked", "disable_vpn_proxy")
    assert d.status == "resolved" and d.resolved_by == "disable_vpn_proxy"
    assert payloads(msgs)[-1] == {"type": "resolved", "fix": "disable_vpn_proxy", "outcome": "fixed"}


def test_another_fix_failing_keeps_the_fix_that_waits(engine, talk):
    d = trying(engine, "update_app")
    reading, msgs = talk(d, "cleared the cache in settings, still failing", ("fix_failed", 0.9))
    assert (reading.act, reading.value, reading.target) == ("result", "failed", "clear_cache")
    assert d.failed == ["clear_cache"] and d.pending_fix == "update_app"
    assert payloads(msgs)[-1]["type"] == "fix" and payloads(msgs)[-1]["fix"] == "update_app"


def test_an_outcome_naming_nothing_is_the_waiting_fixs(engine, talk):
    d = trying(engine, "update_app")
    reading, _ = talk(d, "it works now!!", ("fix_worked", 0.95))
    assert (reading.target, d.resolved_by) == ("update_app", "update_app")


def test_no_other_fix_is_credited_while_the_reader_also_hears_the_waiting_one(engine, kb):
    """ "waited a day and it sent" while "try off-peak" waits: the reader leans to the restriction
    ending, but gives the waiting fix some weight too, so the waiting fix keeps the outcome."""
    d = trying(engine, "try_off_peak")
    turn = Turn(
        "waited a day and it sent",
        (("fix_worked", 0.9),),
        outcome=(("worked", 0.95),),
        done=(("wait_out_restriction", 0.84), ("try_off_peak", 0.12)),
    )
    assert read(turn, d, kb.symptoms.keys()).target == "try_off_peak"
    sure = replace(turn, done=(("wait_out_restriction", 0.84), ("try_off_peak", 0.05)))
    assert read(sure, d, kb.symptoms.keys()).target == "wait_out_restriction"


def test_a_fix_named_beside_another_clause_is_not_credited(engine, kb):
    """Review (2026-12-07): "ok updated, it sends now. earlier i restarted my phone and that didnt help"
    was credited to the restart; the fix reader reads the whole message, so a message of several clauses
    keeps the waiting fix, and so does a partial outcome."""
    d = trying(engine, "update_app")
    turn = Turn(
        "ok updated, it sends now. earlier i restarted my phone and that didnt help",
        (("fix_worked", 0.8),),
        clauses=(
            ("ok updated, it sends now.", (("fix_worked", 0.9),), 0.01, (("worked", 0.95),)),
            ("earlier i restarted my phone and that didnt help", (("fix_failed", 0.7),), 0.01, (("failed", 0.9),)),
        ),
        outcome=(("worked", 0.7),),
        done=(("restart_device", 0.83), ("update_app", 0.02)),
    )
    reading = read(turn, d, kb.symptoms.keys())
    assert reading.target == "update_app" or reading.act != "result"
    partial = Turn("restarted, some go through now", (("fix_partial", 0.9),), outcome=(("partial", 0.9),))
    partial = replace(partial, done=(("restart_device", 0.9),))
    assert read(partial, trying(engine, "update_app"), kb.symptoms.keys()).target == "update_app"


def test_fixes_told_as_done_in_the_first_message_are_not_suggested(engine, talk):
    """rs-09 (2026-12-07): "i already updated the app, i tried both wifi and mobile data, i restarted my
    phone twice" was answered with "Switch between Wi-Fi and mobile data"."""
    d = Diagnosis()
    text = "my dms keep failing. i already updated the app, i tried both wifi and mobile data, i restarted my phone"
    reading, msgs = talk(d, text, ("symptom_send_failed", 0.9))
    assert set(reading.told) == {"update_app", "switch_network", "restart_device"}
    assert set(d.told) == set(reading.told) and not d.failed
    for _ in range(6):  # questions before the first suggestion are not cut short by what they had done
        if d.pending_fix:
            break
        reading, msgs = talk(d, f'/unsure{{"evidence":"{d.pending_question}"}}')
    assert d.pending_fix not in d.told
    assert "You've already tried: " in texts(msgs) and "update TikTok" in texts(msgs)


def test_fixes_told_count_as_failed_for_the_belief_but_not_for_the_question_cap(engine):
    told = engine.start("send_failed")
    told.told = ["update_app"]
    failed = engine.start("send_failed")
    failed.failed = ["update_app"]
    assert engine.belief(told) == engine.belief(failed)
    assert "update_app" not in [f for f, _, _ in engine.fix_ranking(told)]
    told.asked = failed.asked = ["x"] * engine.questions_before_fix
    assert engine.candidate_questions(told) == [] and engine.candidate_questions(failed) != []
    assert engine.handoff_summary(told)["fixes_tried"] == ["update_app"]
    assert Diagnosis.from_dict(told.to_dict()).told == ["update_app"]


@pytest.mark.parametrize(
    "text",
    [
        "no vpn. but i restarted my phone and now it works!",  # review: the restart was recorded as failed
        "im on wifi and cant send messages",  # being on a network is not switching
        "should i restart my phone?",
        "should i restart my phone and update the app?",  # review: a piece of a question named a fix done
        "i havent tried restarting yet",
    ],
)
def test_no_fix_is_told_as_done_by_a_success_a_state_or_a_question(engine, talk, text):
    d = asking(engine, "vpn_or_proxy")
    reading, _ = talk(d, text, ("inform", 0.6))
    assert reading.told == [] and d.told == [], (reading.told, reading.how)


def test_the_fix_that_waits_is_never_told(engine, talk):
    d = trying(engine, "restart_device")
    reading, _ = talk(d, "i restarted my phone twice and cleared the cache, still failing", ("fix_failed", 0.9))
    assert d.failed and "restart_device" not in d.told and "clear_cache" in d.told + d.failed


def test_a_told_fix_is_never_also_failed_nor_the_fix_that_solved_it(engine):
    """Review (2026-12-07): the fix that had solved it could be told again after the resolution, and a
    told fix suggested and failing stayed told too (counted twice in the belief and the summary)."""
    d = trying(engine, "restart_device")
    engine.fix_result(d, "restart_device", worked=True)
    engine.tell(d, ["restart_device", "clear_cache"])
    assert d.told == ["clear_cache"]
    engine.fix_result(d, "clear_cache", worked=False)
    assert d.told == [] and d.failed == ["clear_cache"]
    assert engine.handoff_summary(d)["fixes_tried"] == ["clear_cache"]


def test_a_fix_told_beside_a_question_counts_but_not_one_in_the_question(engine, kb):
    """ru-09 (2026-12-07): "I have cleared cache, updated the app, even uninstall and install again, still
    the same thing. Please what is the problem?" got "Update TikTok": the question beside the list kept
    all of it out. Only a fix named in the clause that asks is left out."""
    d = asking(engine, "only_one_recipient")
    told = (("update_app", 0.98, 0.02), ("restart_device", 0.97, 0.99), ("update_app", 0.96, 0.99))
    turn = Turn("updated the app, still the same. should i restart?", (("inform", 0.5),), told=told)
    assert read(turn, d, kb.symptoms.keys()).told == ["update_app"]
