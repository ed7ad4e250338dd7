"""The `slow` marker comes from what a test uses (tests/conftest.py), not from a list of files."""

import sys
import types

from tests.conftest import starts_servers


def _module(source: str) -> types.ModuleType:
    module = types.ModuleType("sample_tests")
    sys.modules[module.__name__] = module
    exec(compile(source, "sample_tests.py", "exec"), module.__dict__)
    return module


SAMPLE = """
import subprocess

class Assistant: ...

def start_own(tmp_path):
    return Assistant(tmp_path)

class Runner:
    def go(self):
        return subprocess.run(["true"])

def test_direct(tmp_path):
    Assistant(tmp_path).start()

def test_through_a_helper(tmp_path):
    start_own(tmp_path)

def test_through_a_class():
    Runner().go()

def test_in_a_lambda(tmp_path):
    make = lambda: Assistant(tmp_path)
    make()

def test_plain(kb):
    assert kb

def test_recursive(n=1):
    return test_recursive(n - 1) if n else None
"""


def test_a_test_that_starts_servers_is_found_however_it_does():
    m = _module(SAMPLE)
    for name in ("test_direct", "test_through_a_helper", "test_through_a_class", "test_in_a_lambda"):
        assert starts_servers(getattr(m, name), m), name


def test_a_test_that_starts_nothing_is_not_slow():
    m = _module(SAMPLE)
    assert not starts_servers(m.test_plain, m)
    assert not starts_servers(m.test_recursive, m)
