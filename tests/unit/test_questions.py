"""nlu/questions.py, trained on the project's data: what asks something, in every language, and what
only replies or reports; the turn reader answers a side question beside a reply only when it asks."""

import pytest


@pytest.fixture(scope="module")
def asks(asks_of):
    return asks_of


@pytest.mark.parametrize(
    "text",
    [
        "will tiktok ban me for that",
        "do i still have to do the other steps",
        "¿me pueden suspender la cuenta por eso?",
        "dá pra desativar o visto?",
        "gimana cara hubungin tiktok?",
        "why?",
    ],
)
def test_questions_ask(asks, text):
    assert asks(text) >= 0.5


@pytest.mark.parametrize(
    "text",
    [
        "yes",
        "no vpn here",
        "it worked, thanks",
        "still failing",
        "my dms fail with a red exclamation mark",
        "sí, solo con una persona",
        "ainda não funcionou",
        "udah bisa kirim",
        "vbnm fgh",
        "👍",
    ],
)
def test_replies_and_reports_do_not(asks, text):
    assert asks(text) < 0.5
