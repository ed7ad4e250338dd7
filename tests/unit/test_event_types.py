"""Rasa's event lookup by name, remembered (scaleout/events.py): same answers, once computed."""

import pytest
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.utils import common

from scaleout import events


@pytest.fixture
def remembered(monkeypatch):
    monkeypatch.setattr(Event, "resolve_by_type", staticmethod(events._rasas))
    monkeypatch.setattr(events, "_found", {})
    events.remember_event_types()
    return Event


def test_every_event_type_resolves_as_rasa_resolves_it(remembered):
    names = {c.type_name for c in common.all_subclasses(Event) if getattr(c, "type_name", None)}
    assert len(names) > 20
    for name in sorted(names):
        assert remembered.resolve_by_type(name) is events._rasas(name)
    assert remembered.resolve_by_type("topic") is None
    assert remembered.resolve_by_type("no_such_event", SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name"):
        remembered.resolve_by_type("no_such_event")


def test_a_found_type_is_not_searched_again(remembered, monkeypatch):
    walks = []
    walk = common.all_subclasses
    monkeypatch.setattr(common, "all_subclasses", lambda cls: walks.append(cls) or walk(cls))
    event = {"event": "user", "text": "no", "parse_data": {"intent": {"name": "deny"}}}
    for _ in range(5):
        assert isinstance(Event.from_parameters(event), UserUttered)
    assert isinstance(Event.from_parameters({"event": "action", "name": "action_listen"}), ActionExecuted)
    assert walks.count(Event) == 2  # once per type name
