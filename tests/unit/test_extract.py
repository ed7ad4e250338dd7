"""Free-text statements of evidence, found with spaCy."""

import pytest

from troubleshooter.extract import EvidenceExtractor


@pytest.fixture(scope="module")
def extractor(kb):
    return EvidenceExtractor(kb)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("I'm on school wifi and dms fail", {"vpn_or_proxy": "yes"}),
        ("yeah I'm on a VPN", {"vpn_or_proxy": "yes"}),
        ("i'm not using a vpn", {"vpn_or_proxy": "no"}),
        ("i don't use a vpn", {"vpn_or_proxy": "no"}),
        ("my account is 2 days old", {"new_account": "yes"}),
        ("my account is 3 years old", {"new_account": "no"}),
        ("she doesn't follow me back", {"mutual_follow": "no"}),
        ("im 14", {"under_16": "yes", "age_16_17": "no"}),
        ("I am 17 years old", {"under_16": "no", "age_16_17": "yes"}),
        ("the message has a link in it", {"message_has_link": "yes"}),
        ("tiktok is down for everyone", {"others_report_outage": "yes"}),
        ("my storage is full", {"many_apps_open": "yes"}),
        # Words in between, and negations that belong to the problem, not the fact.
        ("my phone is really old", {"old_os": "yes"}),
        ("I'm on my school's wifi", {"vpn_or_proxy": "yes"}),
        ("I set my dms to no one", {"own_dm_setting_restricted": "yes"}),
        ("i can't message one particular person", {"only_one_recipient": "yes"}),
        ("my account isn't new", {"new_account": "no"}),
        ("my phone number isn't verified", {"unverified_account": "yes"}),
        ("I'm running an old version of iOS", {"old_os": "yes"}),
        ("I have an old version of tiktok", {"update_available": "yes"}),
    ],
)
def test_statements_map_to_evidence(extractor, text, expected):
    found = extractor.extract(text)
    for key, value in expected.items():
        assert found.get(key) == value, found


@pytest.mark.parametrize("text", ["", "   ", "yes", "nope", "<script>alert(1)</script>", "\x00\x01", "🙂" * 50])
def test_no_evidence_in_plain_answers_or_junk(extractor, text):
    assert extractor.extract(text) == {}
