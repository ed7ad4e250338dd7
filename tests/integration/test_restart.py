"""Conversations live in the SQL tracker store: a restart mid-diagnosis
continues where the user was, with the same belief and no repeated question."""

import uuid

from troubleshooter.vocabulary import payloads


def test_restart_mid_diagnosis_continues(own_assistant):
    assistant = own_assistant
    sender = "restart-" + uuid.uuid4().hex[:8]
    asked = []
    reply = assistant.say(sender, "my dms fail with a red exclamation mark, i'm using a vpn")
    for _ in range(2):
        step = payloads(reply)[-1]
        if step["type"] != "question":
            break
        asked.append(step["evidence"])
        reply = assistant.say(sender, "no")
    pending = payloads(reply)[-1]
    explain_before = payloads(assistant.say(sender, "why do you think that?"))[0]

    assistant.stop()
    assistant.start()

    explain_after = payloads(assistant.say(sender, "why do you think that?"))
    assert explain_after[0] == explain_before  # same belief
    assert explain_after[-1]["type"] == pending["type"]  # reminded of the same step
    assert explain_after[-1].get("evidence") == pending.get("evidence")
    nxt = payloads(assistant.say(sender, "no" if pending["type"] == "question" else "still broken"))[-1]
    if nxt["type"] == "question":
        assert nxt["evidence"] not in asked + ["vpn_or_proxy", pending.get("evidence")]
