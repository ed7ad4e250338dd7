"""The fact reader (nlu/facts.py) trained on data/nlu, and ages read from numbers (numbers.py).
The statements below are a guard on the training data: if one is misread, add an example."""

import numpy as np
import pytest
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.facts import fit, read, stated, statements
from troubleshooter import numbers


@pytest.mark.parametrize(
    "text,expected",
    [
        ("I'm on school wifi and dms fail", {"vpn_or_proxy": "yes"}),
        ("yeah I'm on a VPN", {"vpn_or_proxy": "yes"}),
        ("i'm not using a vpn", {"vpn_or_proxy": "no"}),
        ("i don't use a vpn", {"vpn_or_proxy": "no"}),
        ("my account is 2 days old", {"new_account": "yes"}),
        ("my account is 3 years old", {"new_account": "no"}),
        ("she doesn't follow me back", {"mutual_follow": "no"}),
        ("im 14", {"under_16": "yes", "age_16_17": "no"}),
        ("I am 17 years old", {"under_16": "no", "age_16_17": "yes"}),
        ("the message has a link in it", {"message_has_link": "yes"}),
        ("tiktok is down for everyone", {"others_report_outage": "yes"}),
        ("my storage is full", {"many_apps_open": "yes"}),
        ("my phone is really old", {"old_os": "yes"}),
        ("I'm on my school's wifi", {"vpn_or_proxy": "yes"}),
        ("I set my dms to no one", {"own_dm_setting_restricted": "yes"}),
        ("i can't message one particular person", {"only_one_recipient": "yes"}),
        ("my phone number isn't verified", {"unverified_account": "yes"}),
        ("a fan account got people to mass report me last week", {"account_reported": "yes"}),
        ("no one has ever reported my account", {"account_reported": "no"}),
        ('it literally says "you\'re sending messages too fast"', {"too_fast_warning": "yes"}),
        # Several facts in one message, and the last word on one of them wins.
        ("no vpn here, and instagram works fine on the same wifi", {"vpn_or_proxy": "no", "other_apps_work": "yes"}),
        ("yeah vpn is on. wait no, the vpn is off now", {"vpn_or_proxy": "no"}),
    ],
)
def test_statements_map_to_evidence(stated, text, expected):
    found = stated(text)
    for key, value in expected.items():
        assert found.get(key) == value, found


@pytest.mark.parametrize(
    "text",
    ["", "   ", "yes", "nope", "<script>alert(1)</script>", "\x00\x01", "🙂" * 50, "will my account get banned?"],
)
def test_no_facts_in_plain_answers_questions_or_junk(stated, text):
    assert stated(text) == {}


def test_the_reader_learns_only_from_annotations():
    texts = ["i use a vpn", "vpn is on", "no vpn", "vpn is off", "hello", "can't send dms", "thanks"] * 3
    facts = [{"vpn_or_proxy": "yes"}] * 2 + [{"vpn_or_proxy": "no"}] * 2 + [{}] * 3
    model = fit(texts, facts * 3, c=10.0)
    assert model.evidence == ["vpn_or_proxy"]
    assert read(model, "i use a vpn", 0.5)[0]["value"] == "yes"
    assert read(model, "hello", 0.5) == []
    (item,) = read(model, "vpn is off", 0.5)
    assert item["evidence"] == "vpn_or_proxy" and item["value"] == "no" and 0.5 <= item["confidence"] <= 1


def test_below_the_threshold_an_item_is_passed_on_as_a_leaning_never_over_a_stated_one():
    texts = ["i use a vpn", "vpn is on", "no vpn", "vpn is off", "hello", "can't send dms", "thanks"] * 3
    facts = [{"vpn_or_proxy": "yes"}] * 2 + [{"vpn_or_proxy": "no"}] * 2 + [{}] * 3
    model = fit(texts, facts * 3, c=10.0)
    p_yes = float(model.probabilities(["using vpn"])[0, 0, 1])
    (item,) = read(model, "using vpn", p_yes + 0.01, floor=p_yes - 0.01)
    assert item["leaning"] and item["value"] == "yes"
    assert read(model, "using vpn", p_yes + 0.01) == []  # no floor: no leanings
    assert "leaning" not in read(model, "i use a vpn. using vpn", 0.9, floor=0.01)[0]


class _Torn:
    """A reader whose second piece is torn between yes and no (or, `clear`, reads no clearly)."""

    evidence = ["started_after_update"]

    def __init__(self, clear: bool):
        self.later = [0.1, 0.1, 0.8] if clear else [0.26, 0.33, 0.41]

    def probabilities(self, texts):
        rows = [[0.05, 0.93, 0.02], self.later, [0.1, 0.88, 0.02]]  # two pieces, then the whole message
        return np.array([[row] for row in rows[: len(texts)]])


def test_a_later_piece_torn_between_yes_and_no_does_not_correct_a_clear_one():
    """rpB-06 (2026-12-07): a piece read "no" 0.41 against "yes" 0.33 overruled a piece read "yes" 0.93."""
    text = "it started after the update. not sure about the rest"
    assert [f["value"] for f in read(_Torn(clear=False), text, 0.4)] == ["yes"]
    assert [f["value"] for f in read(_Torn(clear=True), text, 0.4)] == ["no"]  # a clear correction wins


class _TornPieceClearWhole:
    """A reader whose only piece stating the item is torn (yes 0.43, no 0.38) and whose whole message
    reads no clearly (0.92), or (`whole_torn`) is torn too."""

    evidence = ["recipient_profile_visible"]

    def __init__(self, whole_torn: bool = False):
        self.whole = [0.2, 0.38, 0.42] if whole_torn else [0.06, 0.02, 0.92]

    def probabilities(self, texts):
        rows = [[0.19, 0.43, 0.38], [0.96, 0.0, 0.04], self.whole]
        return np.array([[row] for row in rows[: len(texts)]])


def test_the_whole_message_read_clearly_corrects_a_piece_torn_between_yes_and_no():
    """rw-03 (2026-12-08): "temen aku bisa buka profil dia kok, cuma di aku doang yg gak ketemu" (friends
    can open it, only I can't find it) was read "profile visible" from a torn piece; the whole read no."""
    text = "my friends can open it. only i cant"
    assert [f["value"] for f in read(_TornPieceClearWhole(), text, 0.4)] == ["no"]
    assert [f["value"] for f in read(_TornPieceClearWhole(whole_torn=True), text, 0.4)] == ["yes"]
    assert [f["value"] for f in read(_Torn(clear=False), "it started after the update. not sure", 0.4)] == ["yes"]


def test_a_statement_marked_asks_is_a_question_that_states_its_facts(tmp_path):
    from nlu.questions import ASKS
    from nlu.questions import training_set as question_set

    (tmp_path / "x.yml").write_text(
        'facts:\n  - text: "is it the link?"\n    facts: {message_has_link: "yes"}\n    asks: true\n'
        '  - text: "there is a link in it"\n    facts: {message_has_link: "yes"}\n'
        '  - text: "is it the vpn?"\n    facts: {vpn_or_proxy: "yes"}\n    asks: maybe\n'
    )
    with pytest.raises(ValueError, match="x.yml, item 3.*asks"):
        statements(tmp_path)
    (tmp_path / "x.yml").write_text((tmp_path / "x.yml").read_text().rsplit("  - text", 1)[0])
    assert [t for t, _ in statements(tmp_path)] == ["is it the link?", "there is a link in it"]
    assert statements(tmp_path, asking=True) == [("is it the link?", {"message_has_link": "yes"})]
    texts, labels = question_set(TrainingData(), tmp_path)
    assert dict(zip(texts, labels)) == {"is it the link?": ASKS, "there is a link in it": "states"}


def test_an_annotation_must_be_yes_or_no():
    good = Message.build("no vpn", "inform", example_metadata={"facts": {"vpn_or_proxy": False}})
    assert stated(good) == {"vpn_or_proxy": "no"}  # bare YAML no
    bad = Message.build("no vpn", "inform", example_metadata={"facts": {"vpn_or_proxy": "maybe"}})
    with pytest.raises(ValueError, match="vpn_or_proxy"):
        stated(bad)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("im 14", {"under_16": "yes", "age_16_17": "no"}),
        ("I am 17 years old", {"under_16": "no", "age_16_17": "yes"}),
        ("15 yo here", {"under_16": "yes", "age_16_17": "no"}),
        ("my account is 2 days old", {"new_account": "yes"}),
        ("made my acc 3 weeks ago", {"new_account": "no"}),
        ("i'm 20 and my account is a few days old", {"new_account": "yes"}),
        ("i sent 40 messages", {}),
        ("im 100% sure", {}),
        ("ugh so i have to wait till im 16", {}),  # an age to come is no age stated (role-played, 2026-12-07)
        ("when i'm 18 can i message anyone?", {}),
        ("so i have to wait till im 16? im 14", {"under_16": "yes", "age_16_17": "no"}),
        # The other languages: ages, accounts' ages, and a problem's duration that is neither.
        ("tengo 15 años y no puedo mandar dm", {"under_16": "yes", "age_16_17": "no"}),
        ("tenho 17 anos", {"under_16": "no", "age_16_17": "yes"}),
        ("umur aku 13 kak", {"under_16": "yes", "age_16_17": "no"}),
        ("aku 16 tahun", {"under_16": "no", "age_16_17": "yes"}),
        ("tengo 2 dias sin poder enviar", {}),
        ("tengo 5 mensajes sin enviar", {}),
        ("mi cuenta es nueva, la cree hace 3 dias", {"new_account": "yes"}),
        ("criei a conta faz 5 meses", {"new_account": "no"}),
        ("akunnya baru seminggu", {"new_account": "yes"}),
        ("bikin akun 2 hari yang lalu", {"new_account": "yes"}),
        ("desde hace 3 dias no puedo enviar mensajes en mi cuenta", {}),
        ("nao consigo mandar msg ha 3 dias na minha conta", {}),
        ("gak bisa dm dari 3 hari yang lalu, akun aku", {}),
    ],
)
def test_ages_are_read_from_numbers(text, expected):
    assert numbers.facts(text) == expected


@pytest.mark.parametrize(
    "qid,text,expected",
    [
        ("under_16", "14", "yes"),
        ("age_16_17", "16!", "yes"),
        ("under_16", "3", None),
        ("new_account", "like 3 days", "yes"),
        ("new_account", "unos 2 meses", "no"),
        ("new_account", "baru seminggu", "yes"),
    ],
)
def test_a_bare_number_answers_the_age_questions(qid, text, expected):
    assert numbers.implied(qid, text) == expected
