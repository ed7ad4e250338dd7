"""End-to-end conversations through the REST webhook of the running servers."""

import uuid
from pathlib import Path

import requests

from simulation.cases import converse_case, load_cases, summarize
from simulation.driver import converse
from simulation.user import SimulatedUser
from troubleshooter.vocabulary import payloads as troubleshooter_payloads

CASES = Path(__file__).resolve().parents[1] / "simulated_users" / "cases.yml"


def new_sender():
    return "t-" + uuid.uuid4().hex[:10]


def test_server_answers(assistant):
    assert "Rasa" in requests.get(assistant.url + "/", timeout=10).text


class _SaysNo(SimulatedUser):
    """Types "no" to every question and stops at the first fix."""

    def opening(self):
        return "I'm on school wifi and my dms fail with a red exclamation mark"

    def answer(self, step, times):
        return "no"

    def fix_result(self, step, worked, times):
        return None


def test_a_diagnosis_over_rest(assistant):
    s = new_sender()
    record = converse(lambda text: assistant.say(s, text), _SaysNo(), 12)
    asked = [step["evidence"] for step in record.replied_to if step["type"] == "question"]
    assert record.ended == "left", record.ended  # it stopped at a fix
    assert "vpn_or_proxy" not in asked and len(set(asked)) == len(asked), asked
    reply = record.reply
    step = troubleshooter_payloads(reply)[-1]
    assert step["type"] == "fix" and step["fix"] == "disable_vpn_proxy" and step["rank"] == 1
    assert step["causes"][0]["cause"] == "network_firewall_vpn"
    text = next(m["text"] for m in reply if m.get("text", "").startswith("Let's try"))
    assert "\n1. " in text
    why = assistant.say(s, "why do you think that?")
    assert troubleshooter_payloads(why)[0]["type"] == "diagnosis"
    reply = assistant.say(s, "still broken")
    nxt = troubleshooter_payloads(reply)[-1]
    assert nxt.get("fix") != "disable_vpn_proxy"
    done = assistant.say(s, "that worked")
    assert "glad" in done[0]["text"].lower()


def test_digressions_and_coming_back(assistant):
    s = new_sender()
    first = troubleshooter_payloads(assistant.say(s, "my messages keep failing"))[-1]
    assert first["type"] == "question"
    faq = assistant.say(s, "can network problems really stop messages?")
    assert "round trip" in faq[0]["text"]
    assert troubleshooter_payloads(faq)[-1]["evidence"] == first["evidence"]
    handoff = troubleshooter_payloads(assistant.say(s, "talk to a human"))
    assert handoff[-1]["type"] == "handoff" and handoff[-1]["summary"]["symptom"]
    over = assistant.say(s, "start over")
    assert "start over" in over[0]["text"].lower()


def test_project_simulated_users_over_rest(assistant, kb, capsys):
    outcomes = []
    for i, case in enumerate(load_cases(CASES)):
        sender = new_sender()
        out, _ = converse_case(lambda text, s=sender: assistant.say(s, text), kb, case, typed=bool(i % 2))
        outcomes.append(out)
    report = summarize(outcomes)
    with capsys.disabled():
        print("\nsimulated users over REST:", report)
    # Measured 2026-11-29 (users written from the contract, half typing): 86% resolved, 1.88 fixes, two
    # questions confirming a symptom the NLU read with little confidence ("this one guy" at 0.61).
    # 2026-12-03, model 7217ad8 (sixth round of examples): 75.8% resolved, 1.92 fixes, and 2 stalled - a
    # regression to mend: two English openings now read differently by DIET (a message stuck "sending"
    # beside "the broadband has been funny"; a shop with "no message option" read as contacting TikTok)
    # get a "Do you mean" whose choices miss the user's problem. With the model before it: 81.8%, 0 stalled.
    assert report["stalled"] <= 2 and report["redundant_questions"] <= 3
    assert report["resolved_rate"] >= 0.72 and report["mean_fixes"] <= 2.2
