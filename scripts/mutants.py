"""Mutation testing of the turn reader and the dialogue: does the unit suite notice a wrong line?

Each mutant changes one thing in a module (a comparison turned around, `and` for `or`, a `not`
dropped, a constant changed), and the unit tests that exercise it run against it: a test that
fails kills the mutant; a mutant every test passes survives, and is a misreading nobody would
catch. The heavy imports happen once in this process; each mutant runs in a forked child that
imports the mutated module in place of the real one before pytest imports anything of ours.

    python scripts/mutants.py [--minutes 28] [--jobs 2] [module.py ...]

Writes reports/mutants.md (kill rate per module, every survivor with its line).
"""

from __future__ import annotations

import argparse
import ast
import io
import os
import signal
import sys
import time
import types
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODULES = ["troubleshooter/reading.py", "troubleshooter/dialogue.py"]
TESTS = [
    "tests/unit/test_reading.py",
    "tests/unit/test_dialogue.py",
    "tests/unit/test_actions.py",
    "tests/unit/test_action_response.py",
    "tests/unit/test_contract_payloads.py",
    "tests/unit/test_handover_summary.py",
    "tests/unit/test_ownership.py",
]
PER_MUTANT_SECONDS = 120  # a mutant that loops forever counts as killed (the suite would hang)
_FLIP = {
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Lt: ast.GtE,
    ast.GtE: ast.Lt,
    ast.Gt: ast.LtE,
    ast.LtE: ast.Gt,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}


@dataclass(frozen=True)
class Mutant:
    module: str
    index: int  # which mutable spot, in walk order
    line: int
    change: str


class _Mutator(ast.NodeTransformer):
    """Finds the mutable spots of a tree (target None) or changes the one numbered `target`."""

    def __init__(self, target: int | None = None):
        self.target, self.count, self.found = target, 0, []

    def _spot(self, node: ast.AST, change: str) -> bool:
        here = self.count
        self.count += 1
        if self.target is None:
            self.found.append((getattr(node, "lineno", 0), change))
        return here == self.target

    def visit_JoinedStr(self, node):  # f-strings: texts, not logic
        return node

    def visit_Expr(self, node):  # docstrings and bare calls: leave their constants alone
        if isinstance(node.value, ast.Constant):
            return node
        return self.generic_visit(node)

    def visit_Compare(self, node):
        self.generic_visit(node)
        op = type(node.ops[0])
        if op in _FLIP and self._spot(node, f"{op.__name__} -> {_FLIP[op].__name__}"):
            node.ops = [_FLIP[op](), *node.ops[1:]]
        return node

    def visit_BoolOp(self, node):
        self.generic_visit(node)
        other = ast.Or if isinstance(node.op, ast.And) else ast.And
        if self._spot(node, f"{type(node.op).__name__} -> {other.__name__}"):
            node.op = other()
        return node

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, ast.Not) and self._spot(node, "not dropped"):
            return node.operand
        return node

    def visit_Constant(self, node):
        value = node.value
        if isinstance(value, bool):
            if self._spot(node, f"{value} -> {not value}"):
                return ast.copy_location(ast.Constant(not value), node)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            new = value + 1 if isinstance(value, int) else round(value * 1.5 + 0.05, 3)
            if self._spot(node, f"{value} -> {new}"):
                return ast.copy_location(ast.Constant(new), node)
        return node


def mutants(module: str) -> list[Mutant]:
    finder = _Mutator()
    finder.visit(ast.parse((ROOT / module).read_text()))
    return [Mutant(module, i, line, change) for i, (line, change) in enumerate(finder.found)]


def mutated_source(m: Mutant) -> str:
    tree = _Mutator(m.index).visit(ast.parse((ROOT / m.module).read_text()))
    return ast.unparse(ast.fix_missing_locations(tree))


def _module_name(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


def _run_tests(m: Mutant | None) -> int:
    """In a forked child: put the mutant in place, run the tests quietly; pytest's exit code."""
    os.chdir(ROOT)
    if m is not None:
        name = _module_name(m.module)
        module = types.ModuleType(name)
        module.__file__ = str(ROOT / m.module)
        module.__package__ = name.rpartition(".")[0]
        sys.modules[name] = module
        exec(compile(mutated_source(m), module.__file__, "exec"), module.__dict__)
    import pytest

    sink = io.StringIO()
    with redirect_stdout(sink), redirect_stderr(sink):
        return pytest.main([*TESTS, "-x", "-q", "-m", "not slow", "-p", "no:cacheprovider", "-W", "ignore"])


def _fork(m: Mutant | None) -> int:
    pid = os.fork()
    if pid == 0:
        signal.alarm(PER_MUTANT_SECONDS)
        try:
            code = _run_tests(m)
        except BaseException:  # the mutant broke the import itself: killed
            code = 99
        os._exit(int(code))
    return pid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", default=MODULES)
    parser.add_argument("--minutes", type=float, default=28.0, help="stop starting mutants after this long")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    # The heavy imports, once, before any fork (nothing of the project's own: the children import it).
    import hypothesis  # noqa: F401
    import pytest  # noqa: F401
    import rasa.shared.nlu.training_data.loading  # noqa: F401
    import rasa_sdk  # noqa: F401
    import sklearn.feature_extraction.text
    import sklearn.linear_model  # noqa: F401

    started = time.time()
    pid = _fork(None)
    if os.waitpid(pid, 0)[1] != 0:
        sys.exit("mutants: the tests fail on the unchanged code; fix them first")
    todo = [m for module in args.modules for m in mutants(module)]
    print(f"mutants: {len(todo)} in {', '.join(args.modules)}; baseline passed in {time.time() - started:.0f} s")
    running: dict[int, Mutant] = {}
    results: dict[Mutant, bool] = {}  # mutant -> killed
    queue = list(todo)
    while queue or running:
        while queue and len(running) < args.jobs and time.time() - started < args.minutes * 60:
            m = queue.pop(0)
            running[_fork(m)] = m
        if not running:
            break
        pid, status = os.wait()
        m = running.pop(pid)
        results[m] = status != 0
        if len(results) % 25 == 0:
            killed = sum(results.values())
            print(f"  {len(results)}/{len(todo)} run, {killed} killed ({time.time() - started:.0f} s)", flush=True)
    write_report(todo, results, time.time() - started)


def write_report(todo: list[Mutant], results: dict[Mutant, bool], seconds: float) -> None:
    lines = ["# Mutation testing (make mutants)", ""]
    lines += [f"{len(results)} of {len(todo)} mutants run in {seconds / 60:.1f} min ({', '.join(TESTS)}).", ""]
    lines += ["| module | mutants run | killed | kill rate |", "|---|---|---|---|"]
    for module in dict.fromkeys(m.module for m in todo):
        run = [m for m in results if m.module == module]
        killed = sum(results[m] for m in run)
        lines.append(f"| {module} | {len(run)} | {killed} | {killed / max(len(run), 1):.0%} |")
    survivors = sorted((m for m, killed in results.items() if not killed), key=lambda m: (m.module, m.line))
    lines += ["", f"## Survivors ({len(survivors)})", ""]
    lines += [f"- {m.module}:{m.line}: {m.change}" for m in survivors]
    out = ROOT / "reports" / "mutants.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines[: 8 + len({m.module for m in todo})]))
    print(f"mutants: report in {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
