"""Rasa's RulePolicy, answering this project's rule without searching the conversation.

Every user turn goes to one action (data/rules/respond.yml): after a user message with one of
the rule's intents, `action_respond`; after it, `action_listen`. RulePolicy finds that at every
prediction by turning the whole conversation into states and matching each of its rules against
them, a cost growing with the conversation (a tenth of a turn's CPU here). This policy is
RulePolicy, trained and persisted the same way, and predicts these two cases from the last events:

- the events since the last `action_listen` are one user message whose intent has the rule
  `[listen, intent] -> action_respond`, and slots or bot messages: `action_respond`;
- the events since the one before are that message, the processor's note that it was read by its
  intent, and `action_respond`: `action_listen` (the rule's `[listen, intent], [action_respond,
  intent] -> action_listen`).

Only when the trained rules are exactly those pairs (any other rule could also match, and the
longest match wins) and no loop is active; with the same rule key as RulePolicy's match, so the
prediction (probabilities, hidden rule turn) is the one RulePolicy makes. Anything else (a default
intent such as /restart, an action rejected, a reverted turn...) is RulePolicy's own search
(tests/unit/test_respond_policy.py compares both on generated conversations).
"""

from __future__ import annotations

import json
from typing import Any

from rasa.core.policies.policy import PolicyPrediction
from rasa.core.policies.rule_policy import DEFAULT_ACTION_MAPPINGS, RULES, RulePolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    DefinePrevUserUtteredFeaturization,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

_PASSING = (SlotSet, BotUttered)  # events that add no dialogue state a rule could see


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class RespondPolicy(RulePolicy):
    """RulePolicy with the one-action rule (`[listen, intent] -> action`, then listen) predicted
    from the last events."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._direct: dict[str, tuple[str, str, str]] | None = None

    def _direct_rules(self) -> dict[str, tuple[str, str, str]]:
        """intent -> (action, key of its rule, key of the rule listening after it); empty when the
        trained rules are anything but such pairs."""
        if self._direct is None:
            self._direct = _pairs(self.lookup.get(RULES, {}))
        return self._direct

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        found = self._direct_prediction(tracker) if tracker.active_loop_name is None else None
        if found is None:
            return super().predict_action_probabilities(tracker, domain, rule_only_data, **kwargs)
        action, rule_key = found
        return self._rule_prediction(self._prediction_result(action, tracker, domain), rule_key)

    def _direct_prediction(self, tracker: DialogueStateTracker) -> tuple[str, str] | None:
        """(action, rule key) when the last events are one of the two cases, else None."""
        rules = self._direct_rules()
        if not rules:
            return None
        events = reversed(tracker.events)
        actions = []  # the actions between the user message and now (newest first)
        for event in events:
            if isinstance(event, _PASSING) or _featurized_by_intent(event):
                continue
            if isinstance(event, ActionExecuted) and not actions:
                actions.append(event)
                continue
            if not isinstance(event, UserUttered):
                return None
            message = event
            break
        else:
            return None
        intent = message.intent.get(INTENT_NAME_KEY)
        if intent not in rules or intent in DEFAULT_ACTION_MAPPINGS:
            return None
        for event in events:  # before the message: action_listen, after slots or bot messages only
            if isinstance(event, _PASSING):
                continue
            if not (isinstance(event, ActionExecuted) and event.action_name == ACTION_LISTEN_NAME):
                return None
            break
        else:
            return None
        action, respond_key, listen_key = rules[intent]
        if not actions:
            return action, respond_key
        if actions[0].action_name == action and not actions[0].action_text:
            return ACTION_LISTEN_NAME, listen_key
        return None


def _featurized_by_intent(event: Any) -> bool:
    """The processor's note, after the first prediction from a message, that the message is read by
    its intent (not its text), as the rules read it."""
    return isinstance(event, DefinePrevUserUtteredFeaturization) and event.use_text_for_featurization is False


def _pairs(rules: dict[str, str]) -> dict[str, tuple[str, str, str]]:
    """The rules as intent -> (action, rule key, listening rule key), if they are nothing but pairs
    `[listen, intent] -> action` and `[listen, intent], [action, intent] -> action_listen`."""
    respond, listen = {}, {}
    for key, action in rules.items():
        states = json.loads(key)
        first = states[0]
        if set(first) != {"prev_action", "user"} or first["prev_action"] != {"action_name": ACTION_LISTEN_NAME}:
            return {}
        if set(first["user"]) != {"intent"}:
            return {}
        intent = first["user"]["intent"]
        if len(states) == 1 and action != ACTION_LISTEN_NAME:
            respond[intent] = (action, key)
        elif len(states) == 2 and action == ACTION_LISTEN_NAME:
            second = states[1]
            if set(second) != {"prev_action", "user"} or second["user"] != {"intent": intent}:
                return {}
            if set(second["prev_action"]) != {"action_name"}:
                return {}
            listen[intent] = (second["prev_action"]["action_name"], key)
        else:
            return {}
    if set(respond) != set(listen) or any(listen[i][0] != respond[i][0] for i in respond):
        return {}
    return {intent: (action, key, listen[intent][1]) for intent, (action, key) in respond.items()}
