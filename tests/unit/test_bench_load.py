"""bench/load.py: a varied script says OURS's turns in the project's simulated users' words, each
conversation its own; a list script is said as before."""

from bench import load
from simulation.population import ASK_PERSON, FAILED, OPENINGS, TYPED


def test_a_list_script_is_said_in_turn():
    assert load._texts(load.OURS, 24) == load.OURS * 2
    assert load._texts(load.STOCK, 5) == load.STOCK[:5]


def test_varied_scripts_have_ours_turns_in_the_simulated_users_words(kb):
    words = {"no": TYPED["no"], "unsure": TYPED["unsure"], "failed": FAILED, "person": ASK_PERSON}
    symptoms = [s.description.lower() for s in kb.symptoms.values()]
    scripts = [load.varied(24) for _ in range(40)]
    for texts in scripts:
        assert len(texts) == 24
        for t, text in enumerate(texts):
            role = load._ROLES[t % len(load._ROLES)]
            if role == "opening":
                assert any(o.format(s=s) == text.lower() for o in OPENINGS for s in symptoms), text
            elif role in words:
                assert text in words[role]
            else:
                assert text == role == load.OURS[t % len(load.OURS)]
    assert len({texts[0] for texts in scripts}) >= 10  # openings differ between conversations
    assert len({tuple(texts) for texts in scripts}) == 40
