"""The diagnosis engine on its own: belief, question choice, fix order."""

import json

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from troubleshooter.state import Diagnosis


def answers_strategy(engine):
    return st.dictionaries(st.sampled_from(engine.evidence_ids), st.sampled_from(["yes", "no", "unsure"]), max_size=8)


def test_posterior_sums_to_one_for_any_evidence(engine):
    @settings(max_examples=60, deadline=None)
    @given(
        symptom=st.sampled_from(engine.symptom_ids),
        answers=answers_strategy(engine),
        failed=st.lists(st.sampled_from(engine.fix_ids), max_size=4, unique=True),
    )
    def check(symptom, answers, failed):
        d = Diagnosis(symptoms=[symptom], evidence=answers, failed=failed, status="active")
        belief = engine.belief(d)
        assert abs(sum(belief.values()) - 1.0) < 1e-9
        assert all(0.0 <= p <= 1.0 for p in belief.values())

    check()


def test_evidence_a_cause_predicts_raises_it(engine, kb):
    for cid, cause in kb.causes.items():
        for eid, p_yes in cause.evidence.items():
            base = Diagnosis(symptoms=["cant_send"], status="active")
            before = engine.belief(base)[cid]
            observed = Diagnosis(
                symptoms=["cant_send"], evidence={eid: "yes" if p_yes > 0.5 else "no"}, status="active"
            )
            likely_answer_rate = p_yes if p_yes > 0.5 else 1 - p_yes
            others = kb.evidence[eid].base_rate if p_yes > 0.5 else 1 - kb.evidence[eid].base_rate
            if likely_answer_rate > others + 0.2:
                assert engine.belief(observed)[cid] > before, (cid, eid)


def test_unsure_carries_no_information(engine):
    d = Diagnosis(symptoms=["send_failed"], status="active")
    u = Diagnosis(symptoms=["send_failed"], evidence={"vpn_or_proxy": "unsure"}, status="active")
    assert engine.belief(d) == engine.belief(u)


def test_failed_fix_lowers_the_causes_it_resolves(engine):
    d = Diagnosis(symptoms=["send_failed"], evidence={"vpn_or_proxy": "yes"}, status="active")
    before = engine.belief(d)["network_firewall_vpn"]
    d.failed.append("disable_vpn_proxy")
    assert engine.belief(d)["network_firewall_vpn"] < before / 3


def test_fix_order_is_descending_efficiency(engine):
    @settings(max_examples=40, deadline=None)
    @given(symptom=st.sampled_from(engine.symptom_ids), answers=answers_strategy(engine))
    def check(symptom, answers):
        d = Diagnosis(symptoms=[symptom], evidence=answers, status="active")
        ranking = engine.fix_ranking(d)
        effs = [eff for _, _, eff in ranking]
        assert effs == sorted(effs, reverse=True)
        # Values are checked against hand-computed numbers in test_engine_by_hand.py.

    check()


def test_never_repeats_a_question_or_a_fix(engine):
    @settings(max_examples=40, deadline=None)
    @given(symptom=st.sampled_from(engine.symptom_ids), seed=st.integers(0, 10_000))
    def check(symptom, seed):
        rng = np.random.default_rng(seed)
        d = engine.start(symptom)
        asked, fixes = [], []
        for _ in range(60):
            step = engine.advance(d)
            if step.kind == "question":
                assert step.id not in asked
                asked.append(step.id)
                engine.answer(d, step.id, str(rng.choice(["yes", "no", "unsure"])))
            elif step.kind == "fix":
                assert step.id not in fixes
                fixes.append(step.id)
                engine.fix_result(d, step.id, worked=False)
            else:
                break
        else:
            raise AssertionError("diagnosis never ended")

    check()


def test_never_asks_what_the_symptom_already_says(engine, kb):
    for sid, symptom in kb.symptoms.items():
        d = engine.start(sid)
        for _ in range(12):
            step = engine.advance(d)
            if step.kind != "question":
                break
            assert step.id not in symptom.implies
            engine.answer(d, step.id, "no")


def test_volunteered_facts_are_not_asked(engine):
    d = engine.start("send_failed", {"vpn_or_proxy": "yes", "only_one_recipient": "no"})
    for _ in range(12):
        step = engine.advance(d)
        if step.kind != "question":
            break
        assert step.id not in ("vpn_or_proxy", "only_one_recipient")
        engine.answer(d, step.id, "unsure")


def test_clear_evidence_goes_straight_to_the_right_fix(engine):
    d = engine.start("send_failed", {"vpn_or_proxy": "yes", "only_one_recipient": "no", "other_apps_work": "yes"})
    step = engine.advance(d)
    while step.kind == "question":
        engine.answer(d, step.id, "no")
        step = engine.advance(d)
    assert step.kind == "fix" and step.id == "disable_vpn_proxy"


def test_hands_over_when_nothing_sensible_is_left(engine):
    d = engine.start("one_person", {"mutual_follow": "no", "recipient_profile_visible": "yes"})
    kinds = []
    for _ in range(40):
        step = engine.advance(d)
        kinds.append(step.kind)
        if step.kind == "question":
            engine.answer(d, step.id, "unsure")
        elif step.kind == "fix":
            engine.fix_result(d, step.id, worked=False)
        else:
            break
    assert kinds[-1] == "handoff" and d.status == "handed_over"
    summary = engine.handoff_summary(d)
    assert summary["symptom"] == "one_person" and summary["fixes_tried"] == d.failed
    # only what the user stated or answered: a fact the symptom implies is not theirs to have said
    assert summary["evidence"] == d.evidence and "only_one_recipient" not in summary["evidence"]
    assert summary["evidence"]["mutual_follow"] == "no" and summary["said"] == []
    assert len(summary["top_causes"]) == 3


def test_explanation_names_supporting_evidence(engine):
    d = engine.start("send_failed", {"vpn_or_proxy": "yes"})
    top = engine.explain(d)[0]
    assert top["cause"] == "network_firewall_vpn"
    assert {"evidence": "vpn_or_proxy", "answer": "yes"} in top["supported_by"]


def test_state_round_trips_through_json(engine):
    d = engine.start("too_fast", {"many_messages_sent": "yes"})
    engine.advance(d)
    again = Diagnosis.from_dict(json.loads(json.dumps(d.to_dict())))
    assert again == d
    assert engine.next_step(again) == engine.next_step(d)
    assert Diagnosis.from_dict("garbage") == Diagnosis()


def test_unknown_ids_are_refused(engine):
    d = engine.start("cant_send")
    for bad in (
        lambda: engine.answer(d, "no_such_question", "yes"),
        lambda: engine.answer(d, "vpn_or_proxy", "maybe"),
        lambda: engine.fix_result(d, "no_such_fix", False),
    ):
        try:
            bad()
        except ValueError:
            continue
        raise AssertionError("accepted an unknown id")


def test_a_fact_contradicting_a_symptom_withdraws_it(engine):
    """'I can't message one person' ... 'no, it's everyone': the report was misread, not the fact."""
    d = engine.start("one_person")
    blocked_before = engine.belief(d)["blocked_by_recipient"]
    engine.answer(d, "only_one_recipient", "no")
    assert d.symptoms == [] and d.evidence == {"only_one_recipient": "no"}
    assert d.reports == [{"one_person": 0.5}]  # kept, as a report that may have been misread
    assert engine.belief(d)["blocked_by_recipient"] < blocked_before / 5
    d = engine.start("one_person")
    engine.answer(d, "only_one_recipient", "unsure")  # a doubt corrects nothing
    assert d.symptoms == ["one_person"]


def test_a_fix_that_helped_in_part_keeps_its_causes_and_offers_the_complementary_fix(engine):
    d = Diagnosis(symptoms=["send_stuck"], status="active")
    before = engine.belief(d)
    engine.fix_result(d, "switch_network", worked=False, partly=True)
    after = engine.belief(d)
    network = ("network_weak_signal", "network_congestion", "network_firewall_vpn", "network_dns")
    assert sum(after[c] for c in network) > sum(before[c] for c in network)  # unlike a failure
    assert d.partial == ["switch_network"] and not d.failed and d.status == "active"
    step = engine.next_step(d, questions=False)
    assert step.kind == "fix" and step.id != "switch_network"
    assert any(engine.kb.causes[c].fixes.get(step.id, 0) > 0.3 for c in network), step
    assert engine.handoff_summary(d)["fixes_helped_in_part"] == ["switch_network"]


def test_a_reported_account_points_to_its_trust_score(engine):
    stated = {"new_account": "no", "only_one_recipient": "no", "violation_notice": "no", "many_messages_sent": "no"}
    reported = engine.start("send_failed", {**stated, "account_reported": "yes"})
    quiet = engine.start("send_failed", {**stated, "account_reported": "no"})
    assert next(iter(engine.belief(reported))) == "spam_low_reputation"
    assert engine.belief(reported)["spam_low_reputation"] > 3 * engine.belief(quiet)["spam_low_reputation"]
    assert "verify_phone_email" in [f for f, _, _ in engine.fix_ranking(reported)[:2]]
    assert "verify_phone_email" not in [f for f, _, _ in engine.fix_ranking(quiet)[:2]]


def test_facts_point_to_the_cause_they_are_likeliest_under(engine):
    assert engine.pointed_to({"under_16": "yes"}) == "age_restricted"
    assert engine.pointed_to({"new_account": "yes"}) == "account_new"
    assert engine.pointed_to({"mutual_follow": "no"}) == "privacy_recipient"
    # a fact about as likely under every cause, an unknown item or "not sure" points nowhere
    assert engine.pointed_to({"weak_signal": "no"}) is None
    assert engine.pointed_to({"no_such_item": "yes"}) is None
    assert engine.pointed_to({"under_16": "unsure"}) is None
