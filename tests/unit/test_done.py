"""The fix reader (nlu/done.py) trained on data/, and the outcome credited to the fix a reply says
was done (troubleshooter/reading.py). The replies below guard the training data: if one is misread,
add an example."""

from dataclasses import replace

import pytest
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.done import replies, training_set
from nlu.outcomes import OTHER
from tests.unit.states import payloads, trying
from troubleshooter.reading import DONE_SURE, NONE_READ, Turn, read


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
