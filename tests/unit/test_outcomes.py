"""The outcome reader (nlu/outcomes.py) trained on data/: what a reply says about the fix waiting.
The replies below are a guard on the training data: if one is misread, add an example."""

import pytest
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.outcomes import OTHER, fit, replies, training_set


@pytest.mark.parametrize(
    "text,expected",
    [
        ("that fixed it, thank you so much!", "worked"),
        ("just tried again and my message went through", "worked"),
        ("still the same error", "failed"),
        ("did it twice, nothing changed", "failed"),
        ("texts go through now but videos still don't", "partial"),
        ("i don't have mobile data", "cant_try"),
        ("skip this one please", "cant_try"),
        ("give me a minute, updating now", "trying"),
        ("is tiktok down right now?", OTHER),
        ("why do you need to know that?", OTHER),
        ("asdfgh", OTHER),
        ("thanks", OTHER),
        ("no more errors", "worked"),
        ("not yet", "trying"),
        ("🙂", OTHER),
        ("fyi my account is only three days old", OTHER),  # a fact volunteered instead of an outcome
        ("btw im on school wifi", OTHER),
        ("right, so he blocked me and theres nothing i can do about it", "accepted"),  # an explanation taken in
    ],
)
def test_replies_to_a_fix_are_read(outcome_of, text, expected):
    ranking = outcome_of(text)
    assert ranking[0][0] == expected, ranking
    assert abs(sum(p for _, p in ranking) - 1) < 1e-6 and all(0 <= p <= 1 for _, p in ranking)


def test_the_reader_learns_outcomes_from_intents_and_replies(tmp_path):
    (tmp_path / "r.yml").write_text(
        "outcome:\n  worked: [all good now, sorted]\n  failed: [same error again]\n  other: [btw i use a vpn]\n"
    )
    examples = [
        Message.build(t, intent) for t, intent in [("it works", "fix_worked"), ("nope still broken", "fix_failed")]
    ]
    examples += [
        Message.build("is tiktok down", "faq_tiktok_down"),
        Message.build("my dms fail", "symptom_send_failed"),
    ]
    texts, outcomes = training_set(TrainingData(examples), tmp_path)
    # symptoms are left out: after a fix, "my dms fail" is a failure, and nothing else says so
    assert sorted(zip(texts, outcomes)) == sorted(
        [
            ("it works", "worked"),
            ("nope still broken", "failed"),
            ("is tiktok down", OTHER),
            ("all good now", "worked"),
            ("sorted", "worked"),
            ("same error again", "failed"),
            ("btw i use a vpn", OTHER),
        ]
    )
    model = fit(texts * 3, outcomes * 3, c=10.0)
    assert model.rankings(["it works"])[0][0][0] == "worked"


@pytest.mark.parametrize(
    "content,error",
    [
        ("replies: []\n", "top-level `outcome:`"),
        ("outcome:\n  fixed: [yay]\n", "'fixed' is not an outcome"),
        ("outcome:\n  worked: yay\n", "worked: needs a list"),
        ("outcome:\n  worked: ['']\n", "worked: needs a list"),
    ],
)
def test_a_malformed_replies_file_is_named_with_what_is_wrong(tmp_path, content, error):
    (tmp_path / "bad.yml").write_text(content)
    with pytest.raises(ValueError, match="bad.yml") as raised:
        replies(tmp_path)
    assert error in str(raised.value)


def test_each_clause_gets_its_own_outcome_ranking():
    """A message cut into clauses (nlu/intents.py) gets the whole message's ranking and each clause
    its own, read from the clause's words alone; in a batch, every ranking lands on its own message."""
    from nlu.outcomes import OUTCOME, OutcomeReader
    from nlu.sentence_intents import CLAUSES
    from tests.conftest import outcome_model

    model = outcome_model()
    parts = ["is tiktok down right now?", "that fixed it, thank you so much!"]
    cut = Message({"text": " ".join(parts), CLAUSES: [{"text": t, "ranking": [["inform", 0.5]]} for t in parts]})
    button, plain = Message({"text": "/affirm"}), Message({"text": "still the same error"})
    OutcomeReader({}, None, None, model).process([button, cut, plain])
    read = [dict(c[OUTCOME]) for c in cut.get(CLAUSES)]
    assert [max(r, key=r.get) for r in read] == [OTHER, "worked"]
    assert all(abs(sum(r.values()) - 1) < 1e-3 for r in read) and cut.get(CLAUSES)[1]["ranking"] == [["inform", 0.5]]
    assert [r["name"] for r in cut.get(OUTCOME)] == [n for n, _ in model.rankings([cut.get("text")])[0]]
    assert plain.get(OUTCOME)[0]["name"] == "failed" and plain.get(CLAUSES) is None and button.get(OUTCOME) is None
