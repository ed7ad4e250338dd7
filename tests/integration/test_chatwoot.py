"""The Chatwoot connector driven as Chatwoot 4.13+ drives it (harness/chatwoot.py):
signed deliveries, retries with the same delivery id, replayed option picks, the
bot's own messages echoed back, agents changing the conversation's status."""

import threading
import time

import pytest
import requests

from harness.chatwoot import ACCOUNT, API_TOKEN, FakeChatwoot
from harness.servers import CHATWOOT_SECRET, Assistant, endpoints_file, free_port
from troubleshooter.texts import t, texts_for
from troubleshooter.vocabulary import DIAGNOSIS_SLOT, PAYLOAD_KEY

SORRY, WORDS_PLEASE = t("channel.failed_handed_over"), t("channel.words_please")

PROBLEM = "my messages fail with a red exclamation mark"


def tracker(assistant, cid):
    r = requests.get(f"{assistant.url}/conversations/chatwoot-{ACCOUNT}-{cid}/tracker", timeout=30)
    r.raise_for_status()
    return r.json()


def user_texts(assistant, cid):
    return [e["text"] for e in tracker(assistant, cid)["events"] if e["event"] == "user"]


def contents(chatwoot, cid, private=False):
    return [m["content"] for m in chatwoot.posted(cid, private)]


def test_unsigned_forged_stale_and_url_token_calls_are_refused(assistant, chatwoot):
    event = chatwoot.contact_writes(801, PROBLEM)
    before = len(chatwoot.calls)
    assert chatwoot.deliver(event, secret="not-the-secret") == [401]
    assert chatwoot.deliver(event, timestamp=str(int(time.time()) - 600)) == [401]
    assert chatwoot.deliver(event, signed=False) == [401]
    url_token = requests.post(chatwoot.bot_url, params={"token": CHATWOOT_SECRET}, json=event, timeout=10)
    assert url_token.status_code == 401  # Chatwoot < 4.13 only, when CHATWOOT_ACCEPT_URL_TOKEN=true
    assert len(chatwoot.calls) == before and contents(chatwoot, 801) == []


def test_the_bot_answers_before_the_webhook_returns(assistant, chatwoot):
    assert chatwoot.contact_says(802, PROBLEM) == [200]
    question = chatwoot.last_select(802)  # already posted: no waiting
    assert [i["title"] for i in question["content_attributes"]["items"]] == ["Yes", "No", "Not sure"]
    assert all(c["token"] == API_TOKEN for c in chatwoot.calls)


def test_retries_replays_and_picks_seen_again_are_answered_once(assistant, chatwoot):
    event = chatwoot.contact_writes(803, PROBLEM)
    assert chatwoot.deliver(event, delivery="d-803") == [200]
    answered = len(chatwoot.posted(803))
    assert chatwoot.deliver(event, delivery="d-803") == [200]  # a retry of the same delivery
    assert chatwoot.deliver(event) == [200]  # the same message in a new delivery
    assert len(chatwoot.posted(803)) == answered and user_texts(assistant, 803) == [PROBLEM]
    question = chatwoot.last_select(803)
    assert chatwoot.pick(question["id"], "No") == [200]
    after_pick = len(chatwoot.posted(803))
    assert after_pick > answered
    assert chatwoot.read(question["id"]) == [200]  # message_updated again, same values
    assert len(chatwoot.posted(803)) == after_pick and len(user_texts(assistant, 803)) == 2


def hand_over(chatwoot, cid):
    chatwoot.contact_says(cid, "i can't message one particular person")
    chatwoot.contact_says(cid, "talk to a human please")
    chatwoot.settle()
    assert chatwoot.status(cid) == "open"


def test_hand_over_leaves_a_readable_note_opens_the_conversation_and_goes_quiet(assistant, chatwoot):
    hand_over(chatwoot, 804)
    assert "hand you over to a person" in contents(chatwoot, 804)[-1]
    note = chatwoot.posted(804, private=True)[-1]
    assert note["content"].startswith("Troubleshooter hand-over: the user asked for a person.")
    assert "- Most likely causes:" in note["content"] and "%" in note["content"]
    assert "one_person" not in note["content"] and "only_one_recipient" not in note["content"]
    machine = note["content_attributes"][PAYLOAD_KEY]
    assert machine["reason"] == "asked" and machine["summary"]["symptom"] == "one_person"
    quiet = len(chatwoot.posted(804, None))
    assert chatwoot.contact_says(804, "hello?") == [200]
    chatwoot.settle()
    assert len(chatwoot.posted(804, None)) == quiet and "hello?" not in user_texts(assistant, 804)


def test_a_portuguese_contact_is_answered_in_portuguese_and_the_agents_note_is_in_english(assistant, chatwoot):
    """The contact writes Portuguese from a Brazilian browser; the team reads English (settings.yml)."""
    chatwoot.browser_language(812, "pt-BR")
    chatwoot.contact_says(812, "oi")  # one word: the browser's language decides
    chatwoot.contact_says(812, "nao consigo mandar mensagem pra uma pessoa so, pros outros vai normal")
    chatwoot.contact_says(812, "/human_handoff")  # the confirmation's button, as Chatwoot sends a pick's value
    chatwoot.settle()
    pt = texts_for("pt")
    said = contents(chatwoot, 812)
    assert said[0] == pt("chat.greet") and pt("handoff.asked") in said[-1]
    note = chatwoot.posted(812, private=True)[-1]["content"]
    assert note.startswith("Troubleshooter hand-over: the user asked for a person.")
    assert "The user writes in Português (pt)." in note
    assert chatwoot.status(812) == "open"


def test_a_message_sent_right_after_asking_for_a_person_is_left_to_people(assistant, chatwoot):
    chatwoot.contact_says(812, "i can't message one particular person")
    second = threading.Timer(0.02, chatwoot.contact_says, (812, "please hurry"))
    second.start()
    chatwoot.contact_says(812, "talk to a human please")
    second.join()
    chatwoot.settle()
    assert chatwoot.status(812) == "open"
    assert not any(c.startswith("I'm back") for c in contents(chatwoot, 812))
    assert tracker(assistant, 812)["slots"][DIAGNOSIS_SLOT]["status"] == "handed_over"


def test_a_message_sent_while_the_bot_was_handing_over_is_left_to_people(assistant, chatwoot):
    chatwoot.contact_says(811, "i can't message one particular person")
    in_flight = chatwoot.contact_writes(811, "are you still there")  # written while still pending
    chatwoot.contact_says(811, "talk to a human please")
    chatwoot.settle()
    quiet = len(chatwoot.posted(811, None))
    assert in_flight["conversation"]["status"] == "pending" and chatwoot.deliver(in_flight) == [200]
    assert len(chatwoot.posted(811, None)) == quiet  # Chatwoot says open now: people's


def test_given_back_by_an_agent_the_bot_says_so_and_carries_on(assistant, chatwoot):
    hand_over(chatwoot, 805)
    chatwoot.agent_sets(805, "pending")
    back = contents(chatwoot, 805)
    assert back[-2].startswith("I'm back") or back[-3].startswith("I'm back")
    assert chatwoot.last_select(805)["content"] == back[-1]
    diagnosis = tracker(assistant, 805)["slots"][DIAGNOSIS_SLOT]
    assert diagnosis["status"] == "active" and diagnosis["symptoms"] == ["one_person"]


def test_a_hand_back_the_bot_was_not_told_of_shows_on_the_next_message(assistant, chatwoot):
    hand_over(chatwoot, 806)
    chatwoot.agent_sets(806, "pending", notify=False)
    assert chatwoot.contact_says(806, "hello? anyone") == [200]
    assert any(c.startswith("I'm back") for c in contents(chatwoot, 806)[-3:])
    assert tracker(assistant, 806)["slots"][DIAGNOSIS_SLOT]["status"] == "active"


def test_after_a_resolved_conversation_a_new_message_starts_fresh(assistant, chatwoot):
    hand_over(chatwoot, 807)
    chatwoot.agent_sets(807, "resolved")
    assert chatwoot.contact_says(807, "my dms keep failing to send now") == [200]
    assert chatwoot.status(807) == "pending"
    assert not any(c.startswith("I'm back") for c in contents(chatwoot, 807)[-3:])
    diagnosis = tracker(assistant, 807)["slots"][DIAGNOSIS_SLOT]
    assert diagnosis["status"] == "active" and "one_person" not in diagnosis["symptoms"]


def test_attachments_private_notes_and_titles_typed_as_text(assistant, chatwoot):
    assert chatwoot.contact_says(808, None, attachments=[{"file_type": "image", "data_url": "x"}]) == [200]
    assert contents(chatwoot, 808) == [WORDS_PLEASE]
    assert chatwoot.contact_says(808, "an internal remark", private=True) == [200]
    assert contents(chatwoot, 808) == [WORDS_PLEASE]
    chatwoot.contact_says(808, "hmm")  # not understood: the bot offers choices
    items = chatwoot.last_select(808)["content_attributes"]["items"]
    chatwoot.contact_says(808, items[1]["title"])  # WhatsApp sends a button reply as its title
    symptom = items[1]["value"].removeprefix("/symptom_")
    assert tracker(assistant, 808)["slots"][DIAGNOSIS_SLOT]["symptoms"] == [symptom]


def api_calls(chatwoot, method, suffix):
    return [c for c in chatwoot.calls if c["method"] == method and c["path"].endswith(suffix)]


def test_chatwoot_api_errors_are_retried_where_that_is_safe(assistant, chatwoot):
    chatwoot.contact_says(809, "i can't message one particular person")
    reads = len(api_calls(chatwoot, "GET", "/conversations/809"))
    chatwoot.fail("GET", "/conversations/809", 429)
    chatwoot.fail("POST", "/conversations/809/toggle_status", 500)
    assert chatwoot.contact_says(809, "talk to a human please") == [200]
    assert len(api_calls(chatwoot, "GET", "/conversations/809")) == reads + 2
    assert len(api_calls(chatwoot, "POST", "/conversations/809/toggle_status")) == 2
    assert chatwoot.status(809) == "open" and SORRY not in contents(chatwoot, 809)
    assert chatwoot.posted(809, private=True)[-1]["content"].startswith("Troubleshooter hand-over: the user asked")


def test_when_chatwoot_refuses_the_replies_the_webhook_fails_and_chatwoot_opens_it(assistant, chatwoot):
    chatwoot.contact_says(810, PROBLEM)
    chatwoot.fail("POST", "/conversations/810/messages", 500, times=100)
    chatwoot.fail("POST", "/conversations/810/toggle_status", 500, times=100)
    assert chatwoot.contact_says(810, "no") == [500, 500, 500]  # retried with the same delivery id
    assert chatwoot.status(810) == "open"  # Chatwoot's safety net
    assert user_texts(assistant, 810) == [PROBLEM, "no"]  # the retries ran nothing twice
    chatwoot.failures.clear()


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    """The assistant with an action server that never answers, and its own Chatwoot."""
    fake = FakeChatwoot(CHATWOOT_SECRET)
    work = tmp_path_factory.mktemp("broken")
    # Rasa is sent to a port nobody listens on; the action server runs on another.
    dead = free_port()
    endpoints = endpoints_file(work / "endpoints.yml", dead, tracker_store={"db": str(work / "tracker.db")})
    a = Assistant(work, fake.url, endpoints=endpoints, web=False, avoid=frozenset({dead}))
    fake.bot_url = a.url + "/webhooks/chatwoot/webhook"
    a.start()
    yield fake
    a.stop()
    fake.close()


def test_when_the_assistant_fails_the_user_is_told_and_an_agent_takes_over(broken):
    assert broken.contact_says(901, PROBLEM) == [200]
    assert contents(broken, 901) == [SORRY]
    assert "failed while answering" in contents(broken, 901, private=True)[0]
    assert broken.status(901) == "open"


def test_a_status_change_the_assistant_could_not_take_in_fails_so_it_is_retried(broken):
    broken.contact_says(902, PROBLEM)
    broken.settle()
    before = len(broken.attempts)
    broken.agent_sets(902, "resolved")
    changed = [a["status"] for a in broken.attempts[before:] if a["event"] == "conversation_resolved"]
    assert changed == [500, 500, 500]  # each retry ran again (nothing remembered), and failed again
