"""The reading's scope and clean-up mechanisms, one case each (reading_mechanisms.yml says why each exists)."""
from pathlib import Path

import pytest
import yaml

from bot.extract import read_text

DATA = yaml.safe_load((Path(__file__).parent / "reading_mechanisms.yml").read_text())


def _statuses(reading) -> dict:
    out: dict = {}
    for finding in reading.red_flags + reading.warning_signs:
        out.setdefault(finding.id, finding.status)
    return out


@pytest.mark.parametrize("case", DATA["cases"], ids=[c["why"][:60] for c in DATA["cases"]])
def test_scope_mechanism(case):
    reading = read_text(case["text"], case.get("context"))
    statuses = _statuses(reading)
    for sign, status in (case.get("expect") or {}).items():
        assert statuses.get(sign) == status, (case["why"], statuses)
    for sign in case.get("absent") or []:
        assert sign not in statuses, (case["why"], statuses)
    for feature, statuses in (case.get("features") or {}).items():
        assert [f.status for f in reading.features if f.id == feature] == statuses, (case["why"], reading.features)
    for sign, status in (case.get("absent_status") or {}).items():
        assert statuses.get(sign) != status, (case["why"], statuses)
    if "tells_recent" in case:
        assert reading.tells_recent is case["tells_recent"], case["why"]
    for sign in case.get("worsening") or []:
        assert any(f.id == sign and f.worsening for f in reading.red_flags), (case["why"], reading.red_flags)


@pytest.mark.parametrize("case", DATA["signals"], ids=[c["text"][:40] for c in DATA["signals"]])
def test_wipe_needs_the_conversation_as_object(case):
    asks_to = read_text(case["text"]).signals.get("asks_to") or []
    if "asks_to" in case:
        assert case["asks_to"] in asks_to
    else:
        assert not asks_to


@pytest.mark.parametrize("case", DATA["plain"], ids=[c["text"] for c in DATA["plain"]])
def test_plain_language_includes_the_rules_words(case):
    assert read_text(case["text"], "pain_relief").plain is case["plain"]
