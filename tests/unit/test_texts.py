"""troubleshooter/texts.py and knowledge/texts/: every text the bot says, by key, per language.
Broken text files fail when loaded, naming file, key and problem; every key the code asks
for exists with the placeholders the code fills in; no sentence is left in the dialogue's code."""

from __future__ import annotations

import ast
import copy
from pathlib import Path

import pytest
import yaml

from troubleshooter import messages, reading
from troubleshooter.paths import ROOT
from troubleshooter.texts import (
    DEFAULT_DIR,
    KEYS,
    SOURCE_LANGUAGE,
    Texts,
    TextsError,
    load_language,
    load_texts,
    placeholders,
    t,
    texts_for,
)

EN = yaml.safe_load((DEFAULT_DIR / "en.yml").read_text(encoding="utf-8"))
CODE = sorted(
    [*(ROOT / "troubleshooter").glob("*.py"), *(ROOT / "channels").rglob("*.py"), *(ROOT / "actions").glob("*.py")]
)
GROUPS = {key.split(".")[0] for key in KEYS}


def write(directory: Path, language: str, data) -> Path:
    path = directory / f"{language}.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def en_with(change) -> dict:
    data = copy.deepcopy(EN)
    change(data)
    return data


def problem_of(tmp_path: Path, data, language: str = "en") -> TextsError:
    with pytest.raises(TextsError) as caught:
        load_language(write(tmp_path, language, data))
    return caught.value


# ----- the shipped texts ------------------------------------------------------


def test_every_language_loads_with_every_key():
    languages = load_texts()
    assert SOURCE_LANGUAGE in languages
    for language, texts in languages.items():
        assert texts.language == language and set(texts.texts) == set(KEYS)


def test_texts_fill_in_their_placeholders():
    assert t("fix.first", title="Update TikTok") == "Let's try this: Update TikTok"
    assert t("channel.too_long", max_chars=4000).startswith("The message is too long (over 4000 characters).")
    assert t("buttons.answer_yes") == "Yes" and t("why.and") == " and "


def test_a_lookup_must_name_a_key_and_exactly_its_values():
    with pytest.raises(KeyError, match="fix.frist"):
        t("fix.frist", title="x")
    with pytest.raises(TypeError, match=r"takes the values \['title'\], got \[\]"):
        t("fix.first")
    with pytest.raises(TypeError, match=r"got \['name', 'title'\]"):
        t("fix.first", title="x", name="y")
    with pytest.raises(KeyError, match="'xx'"):
        texts_for("xx")


def test_literal_braces_are_doubled():
    texts = Texts("en", {**texts_for().texts, "chat.thanks": "Thanks {{:}}"})
    assert texts("chat.thanks") == "Thanks {:}"


# ----- broken files fail when loaded, naming file, key and problem -------------


def test_a_missing_key(tmp_path):
    error = problem_of(tmp_path, en_with(lambda d: d["fix"].pop("next")))
    assert (error.file, error.key) == ("en.yml", "fix.next") and "missing" in str(error)


def test_a_missing_group(tmp_path):
    error = problem_of(tmp_path, en_with(lambda d: d.pop("unclear")))
    assert error.key.startswith("unclear.") and "missing" in error.problem


def test_an_unknown_placeholder(tmp_path):
    error = problem_of(tmp_path, en_with(lambda d: d["fix"].update(first="Let's try this: {titel}")))
    assert error.key == "fix.first"
    assert "unknown placeholder {titel}" in str(error) and "{title}" in str(error)


def test_a_placeholder_in_a_text_that_has_none(tmp_path):
    error = problem_of(tmp_path, en_with(lambda d: d["chat"].update(thanks="You're welcome, {name}!")))
    assert error.key == "chat.thanks" and "unknown placeholder {name}" in error.problem and "none" in error.problem


def test_a_dropped_placeholder(tmp_path):
    error = problem_of(tmp_path, en_with(lambda d: d["fix"].update(first="Let's try this")))
    assert error.key == "fix.first" and "placeholder {title} is missing" in error.problem


@pytest.mark.parametrize(
    "text, problem",
    [
        ("Let's try this: {title:>10}", "must be a plain {name}"),
        ("Let's try this: {title!r}", "must be a plain {name}"),
        ("Let's try this: {0}", "must be a plain {name}"),
        ("Let's try this: {}", "must be a plain {name}"),
        ("Let's try this: {title.upper}", "must be a plain {name}"),
        ("Let's try this: {title", "bad braces"),
        ("Let's try this: title}", "bad braces"),
    ],
)
def test_a_malformed_placeholder(tmp_path, text, problem):
    error = problem_of(tmp_path, en_with(lambda d: d["fix"].update(first=text)))
    assert error.key == "fix.first" and problem in error.problem


@pytest.mark.parametrize(
    "value, problem",
    [
        (42, "must be a string, got int 42"),
        (["Yes"], "must be a string, got list"),
        (None, "got nothing"),
        ("  ", "empty"),
    ],
)
def test_a_text_that_is_not_a_string(tmp_path, value, problem):
    error = problem_of(tmp_path, en_with(lambda d: d["buttons"].update(answer_yes=value)))
    assert error.key == "buttons.answer_yes" and problem in error.problem


def test_an_unknown_key(tmp_path):
    error = problem_of(tmp_path, en_with(lambda d: d["chat"].update(greeting="Hi!")))
    assert error.key == "chat.greeting" and "unknown key" in error.problem


def test_an_unquoted_yes_key_is_explained(tmp_path):
    path = tmp_path / "en.yml"
    path.write_text(yaml.safe_dump(EN, allow_unicode=True) + "answer:\n  yes: → yes\n", encoding="utf-8")
    with pytest.raises(TextsError, match="booleans"):
        load_language(path)


def test_a_file_that_is_not_yaml_or_not_a_mapping(tmp_path):
    (tmp_path / "en.yml").write_text("chat: [unclosed\n", encoding="utf-8")
    with pytest.raises(TextsError, match="not valid YAML"):
        load_language(tmp_path / "en.yml")
    assert "top level must be a mapping" in problem_of(tmp_path, ["a", "list"]).problem


# ----- languages ---------------------------------------------------------------


def test_another_language_needs_every_key(tmp_path):
    write(tmp_path, "en", EN)
    write(tmp_path, "es", en_with(lambda d: d["chat"].update(thanks="¡De nada!")))
    assert load_texts(tmp_path)["es"]("chat.thanks") == "¡De nada!"
    write(tmp_path, "pt", en_with(lambda d: d["resume"].pop("ok")))
    with pytest.raises(TextsError) as caught:
        load_texts(tmp_path)
    assert (caught.value.file, caught.value.key) == ("pt.yml", "resume.ok") and "every language" in str(caught.value)


def test_another_language_keeps_the_placeholders(tmp_path):
    write(tmp_path, "en", EN)
    write(tmp_path, "id", en_with(lambda d: d["fix"].update(first="Coba ini: {judul}")))
    with pytest.raises(TextsError, match=r"id\.yml: fix\.first: unknown placeholder \{judul\}"):
        load_texts(tmp_path)


def test_the_source_language_must_be_there_and_files_are_named_by_language(tmp_path):
    write(tmp_path, "es", EN)
    with pytest.raises(TextsError, match=r"en\.yml: -: file is missing"):
        load_texts(tmp_path)
    write(tmp_path, "en", EN)
    write(tmp_path, "Spanish", EN)
    with pytest.raises(TextsError, match="language code"):
        load_texts(tmp_path)
    (tmp_path / "Spanish.yml").unlink()
    write(tmp_path, "pt-BR", EN)
    assert set(load_texts(tmp_path)) == {"en", "es", "pt-BR"}


# ----- the code's lookups --------------------------------------------------------


def _lookups(tree: ast.AST):
    """Calls of t(...) (or anything.t(...)): (first argument, keyword names, line)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if name == "t":
                yield node.args[0], {k.arg for k in node.keywords}, node.lineno


def _key_like(tree: ast.AST):
    """String constants that look like text keys of a known group (passed on, kept in tables)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            group, dot, name = node.value.partition(".")
            if dot and group in GROUPS and name.replace("_", "").isalnum():
                yield node.value, node.lineno


def test_every_key_used_in_code_exists_with_its_placeholders():
    literal = set()
    for path in CODE:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = path.relative_to(ROOT)
        for arg, keywords, line in _lookups(tree):
            if isinstance(arg, ast.Constant):
                assert arg.value in KEYS, f"{where}:{line}: no text {arg.value!r} in texts.KEYS"
                assert keywords == set(KEYS[arg.value]), f"{where}:{line}: {arg.value!r} takes {KEYS[arg.value]}"
        for key, line in _key_like(tree):
            assert key in KEYS, f"{where}:{line}: {key!r} looks like a text key but isn't one"
            literal.add(key)
    assert set(KEYS) - literal == set(), "texts no code asks for"


def test_the_tables_of_keys_cover_what_they_are_asked_for():
    assert set(messages.CHAT) == set(reading.CHAT)
    for kind in reading.CHAT:
        assert messages.chat(kind, idle=False)[0]["text"]
    assert all(key in KEYS for key in [*messages.CHAT.values(), *messages.HANDOFF_REASONS.values()])
    assert all(key in KEYS for key in messages._ANSWER_WORD.values())


def test_the_dialogue_and_messages_say_nothing_in_code():
    """Sentences the user sees are in knowledge/texts/, not in dialogue.py or messages.py."""
    for name in ("dialogue.py", "messages.py"):
        tree = ast.parse((ROOT / "troubleshooter" / name).read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                words = node.value.split()
                assert not (len(words) > 1 and words[0][:1].isupper()), f"{name}:{node.lineno}: {node.value!r}"


def test_placeholders_are_read_from_a_text():
    assert placeholders("The likely cause was: {cause}. {explanation} {{not one}}") == {"cause", "explanation"}
