"""Rasa 3.6 finds an event's class by walking every subclass of Event, for
each event of a tracker it loads: about a tenth of a turn's CPU in the
server, since each turn loads the whole conversation from the tracker store.
`remember_event_types()` keeps each answer (the classes are fixed once
imported); a name not found yet is looked up Rasa's way every time, so an
event class imported later is still found."""

from __future__ import annotations

from rasa.shared.core.events import Event

_found: dict[str, type[Event]] = {}
_rasas = Event.resolve_by_type


def _resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    cls = _found.get(type_name)
    if cls is None:
        cls = _rasas(type_name, default)
        if cls is not None and getattr(cls, "type_name", None) == type_name:
            _found[type_name] = cls
    return cls


def remember_event_types() -> None:
    """Make Event.resolve_by_type remember what it found (idempotent)."""
    Event.resolve_by_type = staticmethod(_resolve_by_type)
