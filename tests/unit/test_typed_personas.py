"""The typed personas of the wild sets (simulation/personas.py) answer a choice of problems in
their own language's way: English words, or the "something else" button when the simulator has
no words of the persona's language; a confirmation gets a "no"."""

from evaluation import wild
from simulation.personas import NONE_OF_THESE, TypedPersona
from troubleshooter import messages


def persona(name: str) -> TypedPersona:
    return TypedPersona(wild.users(name)[0], [])


def test_a_persona_of_another_language_presses_something_else(engine):
    clarify = {"type": "clarify", "options": ["one_person"]}
    offered = messages.clarify(engine, ["one_person"], "lead")[0]["buttons"]
    assert persona("es/dev").on_clarify(clarify, []) == offered[-1]["payload"]  # "something else"
    assert persona("dev").on_clarify(clarify, []) == NONE_OF_THESE
    assert persona("pt/dev").on_clarify({"type": "confirm", "action": "handoff"}, []) == "no"
