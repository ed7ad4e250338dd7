"""Learning from outcomes: EM steps computed by hand on tiny models, the guard rails,
the learned file's validation, and recovery of a known truth."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from learning.estimate import Case, Counts, Data, Params, cases_of, em, guard, learn, posterior, proposal
from simulation.inprocess import play
from simulation.population import MAX_STEPS, Member, Population, Truth
from troubleshooter.engine import Engine
from troubleshooter.knowledge import KnowledgeBaseError, load_knowledge_base, with_learned


def data(n_causes: int, yes=(), no=(), failed=(), worked=()) -> Data:
    """One episode per row of each argument (lists of index lists), no symptom information."""
    n = max(len(yes), len(no), len(failed), len(worked), 1)
    d = Data(np.zeros((n, n_causes)), np.zeros((n, 1)), np.zeros((n, 1)), np.zeros((n, 1)), np.zeros((n, 1)))
    for m, rows in ((d.yes, yes), (d.no, no), (d.failed, failed), (d.worked, worked)):
        for i, on in enumerate(rows):
            m[i, list(on)] = 1.0
    return d


def params(prior, p_yes, p_fix) -> Params:
    return Params(np.array(prior, float), np.array([p_yes], float), np.array([p_fix], float))


def test_one_cause_counts_answers_on_top_of_the_pseudo_counts():
    # 3 yes and 1 no, knowledge base P(yes) = 0.5, strength 2: (2*0.5 + 3) / (2 + 4) = 2/3.
    base = params([1.0], [0.5], [0.0])
    p, counts = em(base, data(1, yes=[[0], [0], [0], []], no=[[], [], [], [0]]), strength=2)
    assert p.prior == pytest.approx([1.0])
    assert p.p_yes[0, 0] == pytest.approx(2 / 3)
    assert counts.p_yes[0, 0] == pytest.approx(4)


def test_two_causes_one_step_by_hand():
    # Prior 0.5/0.5, P(yes) 0.9 / 0.1, one "yes": posterior 0.45 / 0.05 -> 0.9 / 0.1.
    base = params([0.5, 0.5], [0.9, 0.1], [0.0, 0.0])
    d = data(2, yes=[[0]])
    r, ll = posterior(base, d)
    assert r[0] == pytest.approx([0.9, 0.1]) and ll == pytest.approx(np.log(0.5))
    p, _ = em(base, d, strength=2, iterations=1)
    assert p.prior == pytest.approx([(1 + 0.9) / 3, (1 + 0.1) / 3])
    assert p.p_yes[0] == pytest.approx([(1.8 + 0.9) / 2.9, (0.2 + 0.1) / 2.1])


def test_a_resolving_fix_names_the_cause_and_an_unlinked_fix_stays_absent():
    # The fix resolves A with 0.8 and cannot resolve B: it worked, so the cause is A.
    base = params([0.5, 0.5], [0.5, 0.5], [0.8, 0.0])
    d = data(2, worked=[[0]])
    assert posterior(base, d)[0][0] == pytest.approx([1.0, 0.0], abs=1e-6)
    p, counts = em(base, d, strength=4)
    assert p.p_fix[0] == pytest.approx([(4 * 0.8 + 1) / (4 + 1), 0.0], abs=1e-6)
    assert p.p_fix[0, 1] == 0.0
    assert counts.p_fix[0] == pytest.approx([1.0, 0.0], abs=1e-6)


def test_an_abandoned_episode_keeps_its_failed_fix_and_nothing_else():
    # Failed: weights 0.5*0.2 and 0.5*1 -> A 1/6, B 5/6. No outcome beyond that failure.
    base = params([0.5, 0.5], [0.5, 0.5], [0.8, 0.0])
    d = data(2, failed=[[0]])
    assert posterior(base, d)[0][0] == pytest.approx([1 / 6, 5 / 6])
    p, _ = em(base, d, strength=4, iterations=1)
    assert p.p_fix[0] == pytest.approx([4 * 0.8 / (4 + 1 / 6), 0.0])
    assert p.prior == pytest.approx([(2 + 1 / 6) / 5, (2 + 5 / 6) / 5])


def test_guard_keeps_thin_values_and_bounds_the_move():
    base = params([0.5, 0.5], [0.2, 0.5], [0.5, 0.5])
    moved = params([0.5, 0.5], [0.9, 0.9], [0.5, 0.5])
    counts = Counts(np.array([50, 50]), np.array([[100.0, 2.0]]), np.array([[0.0, 0.0]]))
    g = guard(base, moved, counts, min_count=5, max_odds_ratio=4)
    # 0.2 has odds 1/4; at most x4 -> odds 1 -> 0.5. The second has too little data: stays 0.5.
    assert g.p_yes[0] == pytest.approx([0.5, 0.5])


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base()


def test_learned_values_load_on_top_and_bad_files_are_refused(kb):
    cause = next(c for c in kb.causes.values() if c.fixes)
    fix = next(iter(cause.fixes))
    learned = with_learned(
        kb,
        {
            "causes": {
                cause.id: {"prior": {"value": 0.2, "episodes": 40}, "fixes": {fix: {"value": 0.33, "episodes": 12}}}
            }
        },
    )
    assert learned.causes[cause.id].prior == 0.2 and learned.causes[cause.id].fixes[fix] == 0.33
    assert kb.causes[cause.id].prior != 0.2  # the knowledge base itself is unchanged
    unlinked = next(f for f in kb.fixes if f not in cause.fixes)
    for bad, field in (
        ({"nope": {}}, "nope"),
        ({cause.id: {"prior": {"value": 2, "episodes": 1}}}, "prior.value"),
        ({cause.id: {"prior": {"value": 0.1}}}, "prior"),
        ({cause.id: {"fixes": {unlinked: {"value": 0.5, "episodes": 9}}}}, f"fixes.{unlinked}"),
    ):
        with pytest.raises(KnowledgeBaseError) as err:
            with_learned(kb, {"causes": bad})
        assert field in str(err.value)


def test_known_truth_is_recovered_and_fewer_fixes_are_needed(kb):
    """A population where network_dns is 5x as common and switch_network resolves a weak signal
    half as often. Stated tolerances: the prior moves at least half-way to the truth, the fix
    rate at least a third of the way (episodes where it failed and nothing else worked stay
    ambiguous between causes), and new users need fewer fixes."""
    truth = Truth.of(kb)
    truth.priors["network_dns"] *= 5
    truth.p_fix[("switch_network", "network_weak_signal")] /= 2
    engine = Engine(kb)
    pop = Population(kb, truth, seed=3)
    runs = [play(engine, Member(pop, pop.user()), MAX_STEPS) for _ in range(2000)]
    cases = [
        Case(
            i,
            r.symptoms,
            tuple((e, v == "yes") for e, v in r.answers.items() if v != "unsure"),
            tuple(r.failed),
            r.worked,
        )
        for i, r in enumerate(runs)
    ]
    learned = learn(engine, cases)
    after = Engine(with_learned(kb, proposal(engine, learned)))
    dns = engine.causes.index("network_dns")
    true_dns = truth.priors["network_dns"] / sum(truth.priors.values())
    assert abs(after.prior[dns] - true_dns) < 0.5 * abs(engine.prior[dns] - true_dns)  # at least half-way
    assert after.kb.causes["network_weak_signal"].fixes["switch_network"] <= 0.8 - 0.4 / 3  # truth 0.4
    mean_fixes = {}
    fresh = Population(kb, truth, seed=4)
    newcomers = [fresh.settled_user() for _ in range(600)]  # the same world for both engines
    for name, eng in (("before", engine), ("after", after)):
        done = [
            play(eng, Member(fresh, replace(u, answers=dict(u.answers), results=dict(u.results))), MAX_STEPS)
            for u in newcomers
        ]
        mean_fixes[name] = np.mean([len(r.fixes) for r in done])
    assert mean_fixes["after"] < mean_fixes["before"]


def test_priors_with_too_little_data_keep_their_value():
    # Three causes; only the first has enough expected episodes: it moves (within x4 odds), the
    # two thin ones keep their base values exactly and the first takes the rest of the mass.
    base = params([0.2, 0.3, 0.5], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5])
    moved = params([0.9, 0.05, 0.05], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5])
    counts = Counts(np.array([40.0, 1.0, 2.0]), np.zeros((1, 3)), np.zeros((1, 3)))
    g = guard(base, moved, counts, min_count=5, max_odds_ratio=4)
    assert g.prior == pytest.approx([0.2, 0.3, 0.5])  # 0.9 is bounded, then rescaled to the free mass 0.2
    moved.prior[:] = [0.25, 0.3, 0.45]
    g = guard(base, moved, counts, min_count=5, max_odds_ratio=4)
    assert g.prior[1:] == pytest.approx([0.3, 0.5]) and g.prior.sum() == pytest.approx(1.0)


def test_a_symptoms_implied_facts_are_evidence_as_in_the_engine(kb):
    engine = Engine(kb)
    sid = next(s for s, v in kb.symptoms.items() if v.implies)
    [case] = cases_of(
        [{"started": 1.0, "symptoms": [sid], "questions": [], "fixes": [], "resolved_by": None, "volunteered": {}}],
        engine,
    )
    assert dict(case.answers) == {e: v == "yes" for e, v in kb.symptoms[sid].implies.items()}


def test_fixes_the_user_had_done_count_as_failed(kb):
    """A fix told as done before any suggestion (the episode's `told`) is evidence as a failed one is,
    as in the engine."""
    engine = Engine(kb)
    row = {"started": 1.0, "symptoms": ["send_failed"], "questions": [], "resolved_by": None, "volunteered": {}}
    row["fixes"] = [{"fix": "clear_cache", "rank": 1, "outcome": "failed"}]
    [case] = cases_of([{**row, "told": ["restart_device", "clear_cache", "no_such_fix"]}], engine)
    assert case.failed == ("clear_cache", "restart_device")


def test_the_engine_uses_learned_values_only_when_settings_name_them(kb, tmp_path):
    import shutil

    import yaml

    from troubleshooter.knowledge import DEFAULT_DIR

    copy = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_DIR, copy)
    cid = "network_dns"
    (copy / "learned.yml").write_text(yaml.safe_dump({"causes": {cid: {"prior": {"value": 0.5, "episodes": 99}}}}))
    assert load_knowledge_base(copy).causes[cid].prior == kb.causes[cid].prior
    settings = copy / "settings.yml"
    settings.write_text(settings.read_text() + "\nlearned: learned.yml\n")
    assert load_knowledge_base(copy).causes[cid].prior == 0.5
    (copy / "learned.yml").write_text(yaml.safe_dump({"causes": {cid: {"prior": {"value": 7, "episodes": 1}}}}))
    with pytest.raises(KnowledgeBaseError, match="learned.yml: network_dns: prior.value"):
        load_knowledge_base(copy)
