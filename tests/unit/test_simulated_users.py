"""The project's own simulated users, engine alone, beside the article's fixed order."""
from pathlib import Path

from troubleshooter.simulate import compare, load_cases, run_engine

CASES = Path(__file__).resolve().parent.parent / "simulated_users" / "cases.yml"


def test_every_contract_cause_has_cases(kb):
    causes = {c.cause for c in load_cases(CASES)}
    assert set(kb.contract["causes"]) <= causes


def test_engine_beats_the_fixed_tip_order(engine, capsys):
    cases = load_cases(CASES)
    report = compare(engine, cases)
    with capsys.disabled():
        print("\nsimulated users (engine alone):", report)
    ours, article = report["engine"], report["article_fixed_order"]
    assert ours["resolved_rate"] >= 0.95
    assert ours["mean_fixes"] <= 1.5
    assert ours["redundant_questions"] == 0
    assert article["mean_fixes"] > 2 * ours["mean_fixes"]
    assert article["resolved_rate"] < ours["resolved_rate"]


def test_no_case_stalls(engine):
    for case in load_cases(CASES):
        out = run_engine(engine, case)
        assert len(out.questions) <= engine.max_questions
        assert len(out.fixes) <= 6
