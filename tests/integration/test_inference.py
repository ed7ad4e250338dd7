"""scaleout/inference.py runs a turn's graph without dask's scheduler, and scaleout/readers.py
the learned readers' arithmetic without scipy's copies: the trained model's parse and the
policy's prediction must be exactly Rasa's own (and nlu/fast.py's). One process loads the model,
reads texts and predicts with Rasa's code, applies the patches and does it again; the results
must be equal, floats included."""

import json
import subprocess
import sys

from harness.servers import model_path
from troubleshooter.paths import ROOT

TEXTS = [
    "my messages fail with a red exclamation mark",
    "no",
    "nope. will a vpn get me banned?",
    "ya lo apagué. pero me pueden banear la cuenta por haber usado vpn?",
    "udah bisa kirim, makasih kak",
    "só não consigo mandar msg pra uma pessoa",
    "vbnm fgh",
    '/affirm{"evidence":"vpn_or_proxy"}',
    "x" * 300,
]

_SCRIPT = r"""
import asyncio, json, sys, uuid
from harness.quiet import quiet_warnings
quiet_warnings()
from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from scaleout import inference, readers

texts = json.loads(sys.argv[2])

async def readings(agent):
    parsed = [await agent.parse_message(t) for t in texts]
    sender = uuid.uuid4().hex  # each message logged as a new conversation's first: the policy predicts
    predicted = []
    for t in texts:
        await agent.log_message(UserMessage(t, sender_id=sender + t[:20]))
        tracker = await agent.processor.get_tracker(sender + t[:20])
        prediction = agent.processor._predict_next_with_tracker(tracker)
        predicted.append([prediction.max_confidence_index, prediction.probabilities, prediction.policy_name])
    return [parsed, predicted]

agent = Agent.load(sys.argv[1])
before = asyncio.run(readings(agent))
inference.apply()
readers.apply()
after = asyncio.run(readings(agent))
again = asyncio.run(readings(agent))
print(json.dumps({"before": before, "after": after, "again": again}, default=str))
"""


def test_patched_inference_reads_and_predicts_exactly_as_rasa():
    out = subprocess.run(
        [sys.executable, "-c", _SCRIPT, model_path(), json.dumps(TEXTS)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["before"][0] and len(result["before"][0]) == len(TEXTS)
    assert result["after"] == result["before"]
    assert result["again"] == result["before"]
