import inspect
import os

import pytest

from troubleshooter.dialogue import respond
from troubleshooter.engine import Engine
from troubleshooter.knowledge import load_knowledge_base
from troubleshooter.reading import Turn, read

# A test is `slow` when it starts servers of its own: found from what it uses, not kept in a list.
# It (or a helper function of its module, or a fixture it uses that is not shared by the whole session)
# names one of these starters. Session fixtures (the shared assistant) start once for everyone.
STARTERS = frozenset({"Assistant", "RedisServer", "start_page_server", "chromium", "subprocess", "pexpect"})


def _names(code) -> set[str]:
    """Global and attribute names a function's code uses, nested functions and lambdas included."""
    names = set(code.co_names)
    for const in code.co_consts:
        if hasattr(const, "co_names"):
            names |= _names(const)
    return names


def starts_servers(function, module, seen=None) -> bool:
    """Whether `function` names a server starter, directly or through its module's own functions."""
    seen = set() if seen is None else seen
    code = getattr(function, "__code__", None)
    if code is None or function in seen:
        return False
    seen.add(function)
    names = _names(code)
    if names & STARTERS:
        return True
    helpers = [getattr(module, n, None) for n in names]
    own = [h for h in helpers if getattr(h, "__module__", None) == module.__name__]
    functions = [h for h in own if inspect.isfunction(h)]
    functions += [m for h in own if inspect.isclass(h) for m in vars(h).values() if inspect.isfunction(m)]
    return any(starts_servers(f, module, seen) for f in functions)


def _own_servers(item) -> bool:
    if starts_servers(item.function, item.module):
        return True
    for defs in item._fixtureinfo.name2fixturedefs.values():
        fixture = defs[-1]
        if fixture.scope != "session" and starts_servers(fixture.func, inspect.getmodule(fixture.func)):
            return True
    return False


def pytest_collection_modifyitems(items):
    for item in items:
        if "integration" in item.nodeid.split("::")[0].split("/"):
            item.add_marker(pytest.mark.integration)
        if isinstance(item, pytest.Function) and _own_servers(item):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def kb():
    return load_knowledge_base()


@pytest.fixture(scope="session")
def engine(kb):
    return Engine(kb)


def _trained(name: str, config: dict, train):
    """A reader trained on the project's data, as the assistant's is; kept on disk by a hash of what
    it learns from, so a run (or a mutant, scripts/mutants.py) trains it once."""
    import hashlib

    import joblib

    from troubleshooter.paths import BUILD, ROOT

    sources = [*sorted((ROOT / "data").rglob("*.yml")), *sorted((ROOT / "nlu").glob("*.py"))]
    sources += [ROOT / "knowledge" / "evidence.yml", ROOT / "knowledge" / "symptoms.yml"]
    sources += [*sorted((ROOT / "knowledge" / "texts").glob("*.yml"))]
    sources += [*sorted((ROOT / "knowledge" / "translations").glob("*.yml"))]
    key = hashlib.sha256(b"".join(p.read_bytes() for p in sources) + repr(config).encode()).hexdigest()[:16]
    path = BUILD / "cache" / f"{name}-{key}.joblib"
    if path.exists():
        return joblib.load(path)
    model = train()
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, path.with_suffix(f".{os.getpid()}"))
    path.with_suffix(f".{os.getpid()}").replace(path)
    return model


def _intent_examples():
    from rasa.shared.nlu.training_data.loading import load_data

    from troubleshooter.paths import ROOT

    return load_data(str(ROOT / "data" / "nlu"))


def fact_model():
    """The fact reader trained on the project's data (nlu/facts.py), and its config."""
    from nlu.facts import FactReader, fit, statements_folder, training_set

    config = FactReader.get_default_config()
    train = lambda: fit(*training_set(_intent_examples(), statements_folder(config)), config["C"])
    return _trained("facts", config, train), config


def outcome_model():
    """The outcome reader trained on the project's data (nlu/outcomes.py)."""
    from nlu.outcomes import OutcomeReader, fit, replies_folder, training_set

    config = OutcomeReader.get_default_config()
    return _trained(
        "outcomes", config, lambda: fit(*training_set(_intent_examples(), replies_folder(config)), config["C"])
    )


def done_model():
    """The fix reader trained on the project's data (nlu/done.py)."""
    from nlu.done import DoneReader, fit, replies_folder, training_set

    config = DoneReader.get_default_config()
    fixes = frozenset(load_knowledge_base().fixes)
    return _trained(
        "done", config, lambda: fit(*training_set(_intent_examples(), replies_folder(config), fixes), config["C"])
    )


@pytest.fixture(scope="session")
def done_of():
    """text -> the fix reader's ranking of the fix it says was done, best first (nlu/done.py)."""
    model = done_model()
    return lambda text: tuple(model.rankings([text])[0])


@pytest.fixture(scope="session")
def told_of(asks_of):
    """text -> the fixes a piece of it says were done, with the fix reader's probability and how likely
    the text asks (nlu/done.py; as one clause)."""
    from nlu.done import pieces, told

    model = done_model()
    return lambda text: tuple(tuple(item) for item in told(model.rankings(pieces(text)), asks_of(text)))


@pytest.fixture(scope="session")
def outcome_of():
    """text -> the outcome reader's ranking of it, best first, as the assistant reads it."""
    model = outcome_model()
    return lambda text: tuple(model.rankings([text])[0])


def language_model():
    """The language reader trained on the project's data (nlu/language.py)."""
    from nlu.language import LanguageReader, data_folders, fit, training_set

    config = LanguageReader.get_default_config()
    return _trained(
        "language", config, lambda: fit(*training_set(_intent_examples(), data_folders(config)), config["C"])
    )


@pytest.fixture(scope="session")
def language_of():
    """text -> the language reader's ranking of it, best first, as the assistant reads it."""
    model = language_model()
    return lambda text: tuple(model.rankings([text])[0])


def question_model():
    """The question reader trained on the project's data (nlu/questions.py)."""
    from nlu.facts import statements_folder
    from nlu.outcomes import replies_folder
    from nlu.questions import QuestionReader, fit, training_set

    config = QuestionReader.get_default_config()
    data = lambda: training_set(_intent_examples(), statements_folder(config), replies_folder(config))
    return _trained("questions", config, lambda: fit(*data(), config["C"]))


@pytest.fixture(scope="session")
def asks_of():
    """text -> how likely some clause of it asks something, as the assistant reads it (the most
    likely of the message and its clauses, actions/parsing.py)."""
    from nlu.clauses import clauses
    from nlu.questions import ASKS

    model = question_model()
    return lambda text: max(dict(r).get(ASKS, 0.0) for r in model.rankings([text, *clauses(text)]))


@pytest.fixture(scope="session")
def stated():
    """text -> the facts it states, read as the assistant reads them: the fact reader trained on
    data/nlu (nlu/facts.py) and the ages the text gives (troubleshooter/numbers.py)."""
    from nlu.facts import read
    from troubleshooter import numbers

    model, config = fact_model()

    def facts(text: str) -> dict[str, str]:
        return {f["evidence"]: f["value"] for f in read(model, text, config["threshold"])} | numbers.facts(text)

    return facts


@pytest.fixture(scope="session")
def certainty_of():
    """text -> the fact reader's probability of each fact it reads as stated (actions/parsing.py)."""
    from actions.parsing import certainty_of as certainty
    from nlu.facts import read

    model, config = fact_model()
    return lambda text: certainty({"facts": read(model, text, config["threshold"])})


@pytest.fixture
def talk(kb, engine, stated, outcome_of, language_of, asks_of, done_of, told_of, certainty_of):
    """Send text (or a button payload) with a given intent ranking (facts, outcomes, the language
    and whether it asks read by the project's readers); returns (reading, messages)."""

    def send(d, text, *ranking):
        typed = lambda: Turn(
            text,
            tuple(ranking),
            {},
            stated(text),
            outcome=outcome_of(text),
            languages=language_of(text),
            asks=asks_of(text),
            done=done_of(text),
            told=told_of(text),
            certainty=certainty_of(text),
        )
        turn = Turn.from_payload(text) if text.startswith("/") else typed()
        reading = read(turn, d, kb.symptoms.keys())
        return reading, respond(engine, d, reading)

    return send
