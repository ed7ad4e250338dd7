"""policy/respond.py predicts what RulePolicy predicts: both trained on the project's rules and
domain, compared on every prefix of generated conversations (the project's turns, default
intents such as /restart, unknown intents, rejected and reverted actions, follow-up actions,
text-only messages, sessions restarted)."""

import random

import pytest
from rasa.core.policies.rule_policy import DEFAULT_ACTION_MAPPINGS, RulePolicy
from rasa.core.training import load_data
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    BotUttered,
    DefinePrevUserUtteredFeaturization,
    FollowupAction,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from policy.respond import RespondPolicy
from troubleshooter.paths import ROOT

CONFIG = {"core_fallback_threshold": 0.3, "core_fallback_action_name": "action_respond"}
CONFIG["enable_fallback_prediction"] = True


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    domain = Domain.load(ROOT / "domain.yml")
    trackers = load_data(str(ROOT / "data" / "rules"), domain, augmentation_factor=0)
    storage = LocalModelStorage(tmp_path_factory.mktemp("storage"))
    context = ExecutionContext(GraphSchema({}), "test")
    policies = []
    for cls in (RulePolicy, RespondPolicy):
        policy = cls.create({**cls.get_default_config(), **CONFIG}, storage, Resource(cls.__name__), context)
        policy.train(trackers, domain)
        policies.append(policy)
    return domain, *policies


def _user(intent, rng):
    text = rng.choice(["no", "still broken", "/restart", "hello", None])
    entities = [{"entity": "evidence", "value": "vpn", "start": 0, "end": 2}] if rng.random() < 0.2 else []
    return UserUttered(text, {"name": intent, "confidence": rng.random()} if intent else {}, entities)


def conversation(domain, seed):
    """Events of a conversation that mostly follows the project's turns, with rarer detours."""
    rng = random.Random(seed)
    intents = [*domain.intents, "nlu_fallback", "not_in_the_domain", None]
    events = [ActionExecuted(ACTION_SESSION_START_NAME), SessionStarted(), ActionExecuted(ACTION_LISTEN_NAME)]
    for _ in range(rng.randint(1, 14)):
        events.append(_user(rng.choice(intents), rng))
        r = rng.random()
        if r < 0.7:  # as the processor logs a turn
            events += [DefinePrevUserUtteredFeaturization(False), ActionExecuted("action_respond")]
            events += [SlotSet("diagnosis", {"n": 1}), BotUttered("hi")]
            events += [ActionExecuted(ACTION_LISTEN_NAME)] if rng.random() < 0.9 else []
        else:
            events += rng.choice(
                [
                    [ActionExecutionRejected("action_respond")],
                    [UserUtteranceReverted()],
                    [ActionExecuted("action_respond"), ActionReverted()],
                    [ActionExecuted("action_respond"), FollowupAction("action_restart")],
                    [ActionExecuted("action_restart"), Restarted(), ActionExecuted(ACTION_LISTEN_NAME)],
                    [ActionExecuted("utter_greet"), BotUttered("hey")],
                    [DefinePrevUserUtteredFeaturization(True), ActionExecuted("action_respond")],
                    [ActionExecuted("action_respond"), DefinePrevUserUtteredFeaturization(False)],
                    [SlotSet("reading", None), ActionExecuted("action_respond")],
                    [ActionExecuted(ACTION_SESSION_START_NAME), SessionStarted()],
                    [ActionExecuted(ACTION_LISTEN_NAME)],
                    [ActionExecuted(action_text="free text"), ActionExecuted(ACTION_LISTEN_NAME)],
                ]
            )
    return events


def test_the_rules_are_answered_directly(trained):
    domain, _, respond = trained
    assert set(respond._direct_rules()) == set(domain.intents) - set(DEFAULT_ACTION_MAPPINGS) | {"nlu_fallback"}


@pytest.mark.parametrize("seed", range(40))
def test_every_prediction_is_rule_policys(trained, seed):
    domain, rule, respond = trained
    events = conversation(domain, seed)
    direct = 0
    for n in range(1, len(events) + 1):
        tracker = DialogueStateTracker.from_events(f"c{seed}", events[:n], domain.slots)
        expected = rule.predict_action_probabilities(tracker, domain)
        got = respond.predict_action_probabilities(tracker, domain)
        direct += respond._direct_prediction(tracker) is not None
        assert got.probabilities == expected.probabilities, n
        assert (got.events, got.hide_rule_turn, got.is_end_to_end_prediction, got.is_no_user_prediction) == (
            expected.events,
            expected.hide_rule_turn,
            expected.is_end_to_end_prediction,
            expected.is_no_user_prediction,
        )
        assert (got.policy_priority, got.optional_events, got.action_metadata) == (
            expected.policy_priority,
            expected.optional_events,
            expected.action_metadata,
        )
    assert direct > 0
