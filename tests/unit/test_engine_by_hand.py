"""The engine on tiny knowledge bases whose numbers are worked out by hand.

Every expected value below is a literal computed on paper (the arithmetic is in
the comments), never by calling engine code or reading the engine's arrays. The
knowledge bases are written as YAML files and loaded with the normal loader, so
they go through the same validation as knowledge/.

The model (troubleshooter/engine.py):
  belief(c)  ∝ prior(c) × P(report | c) × Π P(answer | c) × Π_failed (1 − P(fix resolves | c))
  P(symptom | c): what the cause lists, at least `symptom_floor`, normalised over the symptoms
  P(f resolves) = Σ_c belief(c) P(f | c);  efficiency = P(f resolves) / cost(f)
  hand over when best efficiency × handoff_cost ≤ 1
  ask a question when answerable × (ECR now − E[ECR after the answer]) − cost(question) > margin
"""

from dataclasses import replace

import pytest
import yaml

from troubleshooter.engine import Engine, Step
from troubleshooter.knowledge import load_knowledge_base
from troubleshooter.state import Diagnosis

TIGHT = dict(rel=1e-9, abs=1e-12)


def approx(value):
    return pytest.approx(value, **TIGHT)


def write_kb(folder, causes, evidence, fixes, symptoms, settings):
    """The files `load_knowledge_base` reads, filled with the given sections."""
    (folder / "contract").mkdir()
    (folder / "contract" / "kb-contract.yml").write_text(yaml.safe_dump({"version": 1}))
    (folder / "faq.yml").write_text(yaml.safe_dump({"faq": {"demo": {"question": "Q?", "answer": "A."}}}))
    (folder / "settings.yml").write_text(yaml.safe_dump(settings))
    (folder / "symptoms.yml").write_text(
        yaml.safe_dump({"symptoms": {s: {"description": f"symptom {s}"} for s in symptoms}})
    )
    (folder / "evidence.yml").write_text(
        yaml.safe_dump(
            {
                "evidence": {
                    e: {"question": f"Question {e}?", "base_rate": rate, "cost": cost}
                    for e, (rate, cost) in evidence.items()
                }
            }
        )
    )
    (folder / "fixes.yml").write_text(
        yaml.safe_dump(
            {
                "fixes": {
                    f: {"title": f"Fix {f}", "cost": cost, "steps": ["Do it."], "source": "by hand"}
                    for f, cost in fixes.items()
                }
            }
        )
    )
    (folder / "causes.yml").write_text(
        yaml.safe_dump(
            {
                "causes": {
                    c: {
                        "category": "test",
                        "name": f"Cause {c}",
                        "explanation": "By hand.",
                        "source": "by hand",
                        **spec,
                    }
                    for c, spec in causes.items()
                }
            }
        )
    )
    return load_knowledge_base(folder)


# ----- three causes, two symptoms, two questions, three fixes -----------------------------
#
# priors 0.25 / 0.15 / 0.10 -> normalised 0.5 / 0.3 / 0.2
# P(symptom | cause), symptom_floor 0.2:
#   A lists s1 0.9, s2 0.6 -> column sum 1.5 -> s1 0.6, s2 0.4   (normalisation)
#   B lists s1 0.2, s2 0.8 -> s1 0.2, s2 0.8
#   C lists s1 0.1, s2 0.8 -> s1 raised to the floor 0.2 -> s1 0.2, s2 0.8   (floor)
# P(yes | cause): e1: A 0.2, B 0.5, C unlisted -> base rate 0.75
#                 e2: A 0.5, B unlisted -> base rate 0.1, C 0.9
# P(fix resolves | cause): f1 (cost 1) A 0.8; f2 (cost 2) B 0.8; f3 (cost 0.5) C 0.6

SETTINGS = {
    "handoff_cost": 15,
    "symptom_floor": 0.2,
    "max_questions": 10,
    "question_margin": 0.1,
    "answerable_prior": [4, 1],
}


@pytest.fixture(scope="module")
def small_kb(tmp_path_factory):
    return write_kb(
        tmp_path_factory.mktemp("kb3"),
        causes={
            "A": {
                "prior": 0.25,
                "symptoms": {"s1": 0.9, "s2": 0.6},
                "evidence": {"e1": 0.2, "e2": 0.5},
                "fixes": {"f1": 0.8},
            },
            "B": {"prior": 0.15, "symptoms": {"s1": 0.2, "s2": 0.8}, "evidence": {"e1": 0.5}, "fixes": {"f2": 0.8}},
            "C": {"prior": 0.10, "symptoms": {"s1": 0.1, "s2": 0.8}, "evidence": {"e2": 0.9}, "fixes": {"f3": 0.6}},
        },
        evidence={"e1": (0.75, 0.3), "e2": (0.1, 0.3)},
        fixes={"f1": 1, "f2": 2, "f3": 0.5},
        symptoms=["s1", "s2"],
        settings=SETTINGS,
    )


@pytest.fixture(scope="module")
def small(small_kb):
    return Engine(small_kb)


def with_handoff_cost(kb, cost):
    return Engine(replace(kb, settings={**kb.settings, "handoff_cost": cost}))


def belief(engine, d):
    return {c: approx(p) for c, p in engine.belief(d).items()}


def test_prior_alone_is_the_normalised_prior(small):
    # 0.25, 0.15, 0.10 over their sum 0.5
    assert belief(small, Diagnosis(status="active")) == {"A": 0.5, "B": 0.3, "C": 0.2}


def test_posterior_after_a_symptom(small):
    # s1: A 0.5*0.6 = 0.30, B 0.3*0.2 = 0.06, C 0.2*0.2 = 0.04; sum 0.40
    # -> A 0.75, B 0.15, C 0.10
    d = small.start("s1")
    assert belief(small, d) == {"A": 0.75, "B": 0.15, "C": 0.10}
    assert list(small.belief(d)) == ["A", "B", "C"]  # most likely first
    # s2: A 0.5*0.4 = 0.20, B 0.3*0.8 = 0.24, C 0.2*0.8 = 0.16; sum 0.60
    # -> A 1/3, B 0.4, C 4/15
    d = small.start("s2")
    assert belief(small, d) == {"A": 1 / 3, "B": 0.4, "C": 4 / 15}
    assert list(small.belief(d)) == ["B", "A", "C"]


def test_posterior_after_a_soft_report(small):
    # {s1: 0.5}: likelihood 0.5*P(s1|c) + (1 - 0.5)/2 symptoms
    #   A 0.5*0.6 + 0.25 = 0.55, B 0.5*0.2 + 0.25 = 0.35, C 0.35
    # weights A 0.5*0.55 = 0.275, B 0.3*0.35 = 0.105, C 0.2*0.35 = 0.07; sum 0.45
    d = small.start({"s1": 0.5})
    assert belief(small, d) == {"A": 0.275 / 0.45, "B": 0.105 / 0.45, "C": 0.07 / 0.45}


def test_posterior_after_a_yes_then_a_no(small):
    # s1, e1 yes: A 0.30*0.2 = 0.06, B 0.06*0.5 = 0.03, C 0.04*0.75 = 0.03; sum 0.12
    # -> A 0.5, B 0.25, C 0.25
    d = small.start("s1")
    small.answer(d, "e1", "yes")
    assert belief(small, d) == {"A": 0.5, "B": 0.25, "C": 0.25}
    # then e2 no: A 0.06*(1-0.5) = 0.03, B 0.03*(1-0.1) = 0.027, C 0.03*(1-0.9) = 0.003; sum 0.06
    # -> A 0.5, B 0.45, C 0.05
    small.answer(d, "e2", "no")
    assert belief(small, d) == {"A": 0.5, "B": 0.45, "C": 0.05}


def test_posterior_after_a_no_alone_and_unsure(small):
    # s1, e1 no: A 0.30*0.8 = 0.24, B 0.06*0.5 = 0.03, C 0.04*0.25 = 0.01; sum 0.28
    d = small.start("s1", {"e1": "no", "e2": "unsure"})  # "not sure" carries no information
    assert belief(small, d) == {"A": 0.24 / 0.28, "B": 0.03 / 0.28, "C": 0.01 / 0.28}


def test_posterior_after_a_failed_fix(small):
    # s1, f1 failed: A 0.30*(1-0.8) = 0.06, B 0.06*(1-0) = 0.06, C 0.04; sum 0.16
    # -> A 0.375, B 0.375, C 0.25
    d = small.start("s1")
    small.fix_result(d, "f1", worked=False)
    assert d.failed == ["f1"]
    assert belief(small, d) == {"A": 0.375, "B": 0.375, "C": 0.25}


def test_fix_probabilities_efficiencies_and_order(small):
    # after s1 (A 0.75, B 0.15, C 0.10):
    #   f1: P = 0.75*0.8 = 0.60, efficiency 0.60/1   = 0.60
    #   f2: P = 0.15*0.8 = 0.12, efficiency 0.12/2   = 0.06
    #   f3: P = 0.10*0.6 = 0.06, efficiency 0.06/0.5 = 0.12
    # order by efficiency f1, f3, f2 (by probability alone it would be f1, f2, f3)
    d = small.start("s1")
    assert small.fix_ranking(d) == [
        ("f1", approx(0.60), approx(0.60)),
        ("f3", approx(0.06), approx(0.12)),
        ("f2", approx(0.12), approx(0.06)),
    ]


def test_fix_order_after_a_failed_fix(small):
    # after s1 and f1 failed (A 0.375, B 0.375, C 0.25):
    #   f2: P = 0.375*0.8 = 0.30, efficiency 0.30/2   = 0.15
    #   f3: P = 0.25*0.6  = 0.15, efficiency 0.15/0.5 = 0.30
    #   f1 is not offered again
    d = small.start("s1")
    small.fix_result(d, "f1", worked=False)
    assert small.fix_ranking(d) == [("f3", approx(0.15), approx(0.30)), ("f2", approx(0.30), approx(0.15))]


def test_a_skipped_fix_is_not_offered_but_changes_no_belief(small):
    # skipping f1 says nothing about the causes: belief stays A 0.75, B 0.15, C 0.10
    d = small.start("s1")
    small.skip_fix(d, "f1")
    assert belief(small, d) == {"A": 0.75, "B": 0.15, "C": 0.10}
    assert small.fix_ranking(d) == [("f3", approx(0.06), approx(0.12)), ("f2", approx(0.12), approx(0.06))]


def test_hand_over_threshold(small_kb):
    # after s1 and f1 failed the best fix is f3 with efficiency 0.30:
    #   handoff_cost 3: 0.30*3 = 0.9 <= 1 -> hand over
    #   handoff_cost 4: 0.30*4 = 1.2 >  1 -> suggest f3 (P 0.15, rank 2: one fix failed before)
    for cost, expected in (
        (3, Step("handoff")),
        (4, Step("fix", "f3", rank=2, probability=approx(0.15), value=approx(0.30))),
    ):
        engine = with_handoff_cost(small_kb, cost)
        d = engine.start("s1")
        engine.fix_result(d, "f1", worked=False)
        assert engine.next_step(d, questions=False) == expected, cost
    # after s1 alone the best is f1 with efficiency 0.60:
    #   handoff_cost 1.5: 0.60*1.5 = 0.9 -> hand over;  handoff_cost 2: 0.60*2 = 1.2 -> f1 (rank 1)
    for cost, expected in (
        (1.5, Step("handoff")),
        (2, Step("fix", "f1", rank=1, probability=approx(0.60), value=approx(0.60))),
    ):
        engine = with_handoff_cost(small_kb, cost)
        assert engine.next_step(engine.start("s1"), questions=False) == expected, cost


def test_advancing_to_a_hand_over_ends_the_diagnosis(small_kb):
    engine = with_handoff_cost(small_kb, 3)
    d = engine.start("s1")
    engine.fix_result(d, "f1", worked=False)
    assert engine.advance(d, questions=False) == Step("handoff")
    assert d.status == "handed_over" and d.pending is None


# ----- two causes, two fixes, two questions: the value of asking ------------------------------
#
# priors X 0.8, Y 0.2; no symptom reported (neither cause lists one, so a report would tell nothing)
# fixes fx (cost 2) resolves X for sure, fy (cost 1) resolves Y for sure; handoff_cost 10
# questions q (cost 0.024): P(yes|X) 0.9, P(yes|Y) 0.1;  r (cost 0.024): P(yes|X) 0.6, P(yes|Y) 0.4
# answerable: Beta(4, 1) prior, no answers yet -> 4/5 = 0.8
# (with one cause left and a sure fix of cost <= 2, efficiency*10 >= 5*mass: no hand-over in the look-ahead)
#
# ECR now: efficiencies fx 0.8/2 = 0.4, fy 0.2/1 = 0.2 -> fx first: cost 2; if it fails only Y is left
#   (mass 0.2): fy, 0.2*1 -> ECR = 2.2
# q: P(yes) = 0.8*0.9 + 0.2*0.1 = 0.74
#   yes -> X 0.72/0.74 = 36/37, Y 1/37: fx first, then fy: 2 + 1/37
#   no  -> X 0.08/0.26 = 4/13, Y 0.18/0.26 = 9/13: efficiencies fx 2/13, fy 9/13 -> fy first, then fx:
#          1 + 2*4/13 = 1 + 8/13
#   E[ECR | q] = 0.74*(2 + 1/37) + 0.26*(1 + 8/13) = 1.48 + 0.02 + 0.26 + 0.16 = 1.92
#   saving = 0.8*(2.2 - 1.92) - 0.024 = 0.224 - 0.024 = 0.2
# r: P(yes) = 0.8*0.6 + 0.2*0.4 = 0.56
#   yes -> 6/7, 1/7: efficiencies fx 3/7, fy 1/7 -> fx first: 2 + 1/7 = 15/7
#   no  -> 8/11, 3/11: efficiencies fx 4/11, fy 3/11 -> fx first: 2 + 3/11 = 25/11
#   E[ECR | r] = 0.56*15/7 + 0.44*25/11 = 1.2 + 1.0 = 2.2 -> saving = 0.8*0 - 0.024 = -0.024
# So q is the question, worth 0.2: asked when the margin is 0.15, not when it is 0.25.


def two_cause_kb(folder, margin=0.15, fx_cost=2, fy_cost=1):
    return write_kb(
        folder,
        causes={
            "X": {"prior": 0.8, "evidence": {"q": 0.9, "r": 0.6}, "fixes": {"fx": 1.0}},
            "Y": {"prior": 0.2, "evidence": {"q": 0.1, "r": 0.4}, "fixes": {"fy": 1.0}},
        },
        evidence={"q": (0.5, 0.024), "r": (0.5, 0.024)},
        fixes={"fx": fx_cost, "fy": fy_cost},
        symptoms=["s1", "s2"],
        settings={"handoff_cost": 10, "max_questions": 10, "question_margin": margin, "answerable_prior": [4, 1]},
    )


def test_expected_cost_of_repair_by_hand(tmp_path):
    engine = Engine(two_cause_kb(tmp_path))
    none_used = [[False, False]]
    assert engine.expected_cost([[0.8, 0.2]], none_used)[0] == approx(2.2)  # see above
    assert engine.expected_cost([[0.08, 0.18]], none_used)[0] == approx(1 + 8 / 13)  # q answered no (unnormalised)
    # fx already tried (skipped, so X keeps its 0.8): fy (efficiency 0.2, 0.2*10 > 1): cost 1;
    # then X's 0.8 is left with no fix: hand over, 0.8*10 = 8 -> ECR = 9
    assert engine.expected_cost([[0.8, 0.2]], [[True, False]])[0] == approx(9.0)


def test_expected_cost_hands_over_inside_the_look_ahead(tmp_path):
    # fy now costs 12, more than a person (10):
    #   belief 0.8 / 0.2: fx first (efficiency 0.8, 0.8*10 > 1): cost 1; then Y alone (mass 0.2): fy efficiency
    #   0.2/12, *10 = 0.167 <= 0.2 -> hand over: 0.2*10 = 2 -> ECR = 3
    #   fx already tried: fy efficiency 0.2/12, *10 = 0.167 <= mass 1 -> hand over at once: 10
    engine = Engine(two_cause_kb(tmp_path, fx_cost=1, fy_cost=12))
    assert engine.expected_cost([[0.8, 0.2]], [[False, False]])[0] == approx(3.0)
    assert engine.expected_cost([[0.8, 0.2]], [[True, False]])[0] == approx(10.0)


def test_the_question_that_saves_most_is_asked(tmp_path):
    engine = Engine(two_cause_kb(tmp_path, margin=0.15))
    d = engine.start()
    assert engine.next_step(d) == Step("question", "q", value=approx(0.2))
    assert engine.advance(d).id == "q" and d.pending == {"type": "question", "evidence": "q"} and d.asked == ["q"]


def test_no_question_when_the_saving_is_below_the_margin(tmp_path):
    # saving 0.2 < margin 0.25: the best fix instead, fx with P 0.8 and efficiency 0.8/2 = 0.4
    engine = Engine(two_cause_kb(tmp_path, margin=0.25))
    step = engine.next_step(engine.start())
    assert (step.kind, step.id, step.probability, step.value) == ("fix", "fx", approx(0.8), approx(0.4))


def test_no_more_questions_before_the_first_fix_than_the_setting_allows(tmp_path):
    kb = two_cause_kb(tmp_path, margin=0.15)
    engine = Engine(replace(kb, settings={**kb.settings, "questions_before_fix": 0}))
    d = engine.start()
    assert engine.candidate_questions(d) == [] and engine.next_step(d).kind == "fix"  # q saves 0.2, not asked
    d.skipped.append("fx")  # once a fix has been tried (or passed over), questions are worth asking again
    assert engine.candidate_questions(d) == ["q", "r"]


def test_after_the_answer_the_other_question_is_worth_nothing(tmp_path):
    # q answered no: X 4/13, Y 9/13; fy first, then fx: ECR = 1 + 8/13 = 21/13.
    # r: P(yes) = 4/13*0.6 + 9/13*0.4 = 6/13
    #   yes -> X 2.4/6 = 0.4, Y 0.6: fy first (0.6 vs 0.2), then fx: 1 + 2*0.4 = 1.8
    #   no  -> X 1.6/7, Y 5.4/7: fy first, then fx: 1 + 3.2/7
    #   E = 6/13*1.8 + 7/13*(1 + 3.2/7) = (10.8 + 7 + 3.2)/13 = 21/13 -> no saving
    # answerable after one yes/no answer: (4+1)/(4+1+1) = 5/6; saving = 5/6*0 - 0.024 < margin
    # -> fy, P 9/13, efficiency 9/13 / 1
    engine = Engine(two_cause_kb(tmp_path, margin=0.15))
    d = engine.start()
    engine.advance(d)
    engine.answer(d, "q", "no")
    step = engine.next_step(d)
    assert (step.kind, step.id, step.probability, step.value) == ("fix", "fy", approx(9 / 13), approx(9 / 13))


def test_how_likely_the_next_answer_is_a_yes_or_no(tmp_path):
    # Beta(4, 1) prior on "can answer": (4 + yes/no answers) / (4 + 1 + answers)
    engine = Engine(two_cause_kb(tmp_path))
    d = engine.start()
    assert engine.answerable(d) == approx(0.8)  # 4/5
    d.asked, d.pending = ["q"], {"type": "question", "evidence": "q"}  # q asked: pending is not an answer yet
    assert engine.answerable(d) == approx(0.8)
    engine.answer(d, "q", "unsure")
    assert engine.answerable(d) == approx(4 / 6)  # (4+0)/(4+1+1)
    d.asked.append("r")
    engine.answer(d, "r", "yes")
    assert engine.answerable(d) == approx(5 / 7)  # (4+1)/(4+1+2)
