"""The wild evaluation sets stay usable and out of training."""

import yaml

from evaluation import wild

ADDED_AFTER_THE_SETS = {"account_reported"}  # knowledge/evidence.yml items newer than tests/wild/

NATURAL = wild.natural_overlaps()


def domain_intents():
    return set(yaml.safe_load((wild.ROOT / "domain.yml").read_text())["intents"])


def test_no_training_line_shares_six_words_with_wild_text():
    training = wild.training_texts()
    for name in wild.ALL_SETS:
        copied = [(t, run) for _, t, run in wild.overlaps(wild.texts(name), training, 6) if t not in NATURAL]
        assert copied == [], f"training lines echo the {name} wild set: {copied}"


def test_nlu_sets_are_large_and_use_known_ids(kb):
    intents = domain_intents()
    for name in wild.ALL_SETS:
        examples = wild.nlu_examples(name)
        assert len(examples) >= (300 if name in wild.SETS else 150)
        for e in examples:
            assert e["intent"] in intents and set(e["also"]) <= intents, e
            assert set(e["facts"]) <= set(kb.evidence) and set(e["facts"].values()) <= {"yes", "no"}, e


def test_replies_refer_to_real_questions_and_fixes(kb):
    intents = domain_intents()
    for name in wild.ALL_SETS:
        for r in wild.replies(name):
            assert r["after"].get("question", "x") in kb.evidence or r["after"].get("fix", "x") in kb.fixes, r
            expect = r["expect"]
            assert (
                expect.get("answer") in ("yes", "no", "unsure")
                or expect.get("result") in ("worked", "failed", "partial")
                or expect.get("intent") in intents
            ), r


def test_users_cover_every_contract_cause_and_answer_every_question(kb):
    for name in wild.ALL_SETS:
        users = wild.users(name)
        causes = [u["cause"] for u in users]
        if name in wild.SETS:
            assert set(causes) == set(kb.contract["causes"])
        else:  # fewer people per language, each with a cause of their own
            assert len(users) >= 14 and len(set(causes)) == len(causes) and set(causes) <= set(kb.contract["causes"])
            assert {u.get("language") for u in users} == {wild.language_of(name)}
        for u in users:
            # every question but those the knowledge base gained after the sets were written: asked
            # one, the simulated person answers "unsure" (its opening may still state it unasked)
            assert set(u["answers"]) == set(kb.evidence) - ADDED_AFTER_THE_SETS, u["id"]
            assert set(u["answers"].values()) <= {"yes", "no", "unsure"}, u["id"]
            assert all(u["say"].get(k) for k in ("yes", "no", "unsure", "worked", "failed")), u["id"]
            assert set(u["replies"]) <= set(kb.evidence), u["id"]


def test_taking_an_explanation_in_is_right_only_after_an_explanation():
    from evaluation.replies import judge

    took_in, acked = {"act": "result", "value": "worked"}, {"act": "ack"}
    expect = {"intent": "acknowledge"}
    assert judge(expect, took_in, explanation=True) == "right"  # resolved, outcome "explained"
    assert judge(expect, acked, explanation=True) == "right"
    assert judge({"intent": "thanks"}, took_in, explanation=True) == "right"
    assert judge(expect, took_in) == "wrong"  # "ok" to a fix to try is no success
    assert judge({"result": "failed"}, took_in, explanation=True) == "wrong"
