"""The knowledge base loads, covers the contract, and rejects bad files clearly."""

import shutil
from pathlib import Path

import pytest
import yaml

from troubleshooter.knowledge import DEFAULT_DIR, KnowledgeBaseError, load_knowledge_base

SHARED_CONTRACT = DEFAULT_DIR.parent.parent / "shared" / "spec" / "kb-contract.yml"


def test_contract_ids_all_present(kb):
    contract = kb.contract
    assert len(contract["causes"]) == 22 and len(contract["evidence"]) == 24 and len(contract["fixes"]) == 23
    assert set(contract["causes"]) <= set(kb.causes)
    assert set(contract["evidence"]) <= set(kb.evidence)
    assert set(contract["fixes"]) <= set(kb.fixes)


@pytest.mark.skipif(not SHARED_CONTRACT.exists(), reason="shared/ not beside the checkout")
def test_project_copy_of_contract_matches_shared_spec():
    assert yaml.safe_load(SHARED_CONTRACT.read_text()) == yaml.safe_load(
        (DEFAULT_DIR / "contract" / "kb-contract.yml").read_text()
    )


def test_beyond_contract_rules_are_known(kb):
    for cause in ("family_pairing", "media_first_message", "message_request_pending"):
        assert cause in kb.causes
    assert "16-17" in " ".join(kb.fixes["check_own_dm_settings"].steps)


def test_every_cause_has_explanation_source_and_fix(kb):
    for cause in kb.causes.values():
        assert cause.explanation and cause.source
        assert cause.leak or cause.fixes


def test_fix_steps_use_real_menu_names(kb):
    assert "Settings and privacy > Report a problem" in " ".join(kb.fixes["report_problem"].steps)
    assert "Cache & Cellular > Free up space" in " ".join(kb.fixes["clear_cache"].steps)


@pytest.fixture
def kb_copy(tmp_path):
    target = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_DIR, target)
    return target


def _edit(path: Path, change):
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


@pytest.mark.parametrize(
    "file,change,expected",
    [
        (
            "causes.yml",
            lambda d: d["causes"]["network_dns"]["fixes"].update(no_such_fix=0.5),
            "causes.yml: network_dns: fixes.no_such_fix: unknown fix id 'no_such_fix'",
        ),
        (
            "causes.yml",
            lambda d: d["causes"]["temp_ban"]["evidence"].update(ban_notice=1.7),
            "causes.yml: temp_ban: evidence.ban_notice: probability 1.7 is out of range [0, 1]",
        ),
        (
            "causes.yml",
            lambda d: d["causes"].pop("spam_rate_limit"),
            "causes.yml: spam_rate_limit: -: contract id is missing",
        ),
        (
            "causes.yml",
            lambda d: d["causes"]["family_pairing"].update(fixes={}),
            "causes.yml: family_pairing: fixes: cause without a fix",
        ),
        ("evidence.yml", lambda d: d["evidence"].pop("vpn_or_proxy"), "unknown evidence id 'vpn_or_proxy'"),
        (
            "causes.yml",
            lambda d: d["causes"]["app_bug"].update(prior="high"),
            "causes.yml: app_bug: prior: must be a number, got 'high'",
        ),
        (
            "symptoms.yml",
            lambda d: d["symptoms"]["too_fast"].update(implies={"nope": "yes"}),
            "symptoms.yml: too_fast: implies.nope: unknown evidence id 'nope'",
        ),
    ],
)
def test_invalid_knowledge_base_names_file_id_and_field(kb_copy, file, change, expected):
    _edit(kb_copy / file, change)
    with pytest.raises(KnowledgeBaseError) as err:
        load_knowledge_base(kb_copy)
    assert expected in str(err.value)


def test_missing_file_and_broken_yaml_are_reported(kb_copy):
    (kb_copy / "fixes.yml").unlink()
    with pytest.raises(KnowledgeBaseError, match="fixes.yml: -: -: file is missing"):
        load_knowledge_base(kb_copy)
    shutil.copy(DEFAULT_DIR / "fixes.yml", kb_copy / "fixes.yml")
    (kb_copy / "causes.yml").write_text("causes: [unclosed")
    with pytest.raises(KnowledgeBaseError, match="causes.yml: -: -: not valid YAML"):
        load_knowledge_base(kb_copy)


SIDE_QUESTION_TOPICS = (
    "read_receipts",
    "tiktok_down",
    "appeal",
    "block_signs",
    "minimum_age",
    "vpn_ban",
    "links_in_dms",
    "followup_fix",
)


@pytest.mark.parametrize("topic", SIDE_QUESTION_TOPICS)
def test_side_question_topics_are_answered_and_recognised(kb, topic):
    entry = kb.faq[topic]
    assert entry["question"].strip() and entry["answer"].strip()
    domain = yaml.safe_load((DEFAULT_DIR.parent / "domain.yml").read_text())
    assert f"faq_{topic}" in domain["intents"]


def test_every_faq_topic_has_an_intent_and_every_faq_intent_an_answer(kb):
    intents = set(yaml.safe_load((DEFAULT_DIR.parent / "domain.yml").read_text())["intents"])
    assert {f"faq_{k}" for k in kb.faq} == {i for i in intents if i.startswith("faq_")}


def test_careful_facts_in_side_answers(kb):
    assert "13" in kb.faq["minimum_age"]["answer"] and "16 or older" in kb.faq["minimum_age"]["answer"]
    assert "doesn't publish" in kb.faq["appeal"]["answer"]
    assert "Seen" in kb.faq["read_receipts"]["answer"]
