"""Imports run one way (README, Architecture): core <- adapters <- edges; the core never imports
Rasa; nothing outside tests/ imports tests."""

import ast

import pytest

from troubleshooter.paths import ROOT

CORE = {"troubleshooter"}
ADAPTERS = {"actions", "nlu", "policy"}
EDGES = {"channels", "scaleout", "analytics", "learning", "simulation", "evaluation", "harness", "bench"}
PROJECT = CORE | ADAPTERS | EDGES | {"tests", "scripts"}
MAY_IMPORT = {  # the project's packages each layer may use
    **dict.fromkeys(CORE, CORE),
    **dict.fromkeys(ADAPTERS, CORE | ADAPTERS),
    **{p: PROJECT - {"tests", "scripts"} for p in EDGES},
}


def imports(path):
    """Top-level names of the modules a file imports (relative imports resolved to its package)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = path.relative_to(ROOT).parts[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield package if node.level else (node.module or "").split(".")[0]


def files(package):
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_each_layer_imports_only_what_is_below_it(package):
    wrong = [
        (str(f.relative_to(ROOT)), name)
        for f in files(package)
        for name in imports(f)
        if name in PROJECT and name not in MAY_IMPORT[package]
    ]
    assert wrong == []


def test_the_core_never_imports_rasa():
    assert [str(f) for f in files("troubleshooter") if {"rasa", "rasa_sdk", "sanic"} & set(imports(f))] == []


def test_nothing_outside_tests_imports_tests():
    outside = [f for p in sorted(PROJECT - {"tests"}) for f in files(p)]
    assert outside and [str(f) for f in outside if "tests" in set(imports(f))] == []
