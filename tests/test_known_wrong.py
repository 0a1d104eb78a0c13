"""tests/e2e/stories_known_wrong.yml may excuse a story the system does not yet follow, but never one about
safety: an entry whose story or mismatches concern triage, red flags, warning signs or escalation is refused."""
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SAFETY_WORDS = ("triage", "red_flag", "warning_sign", "escalat", "seek_care", "crisis", "emergency")


def safety_entries(entries):
    return [e["story"] for e in entries
            if any(word in " ".join([e["story"], e.get("why", "")] + list(e.get("mismatches") or [])).lower()
                   for word in SAFETY_WORDS)]


def test_no_known_wrong_entry_concerns_safety():
    entries = yaml.safe_load((ROOT / "tests" / "e2e" / "stories_known_wrong.yml").read_text())["known_wrong"]
    assert not safety_entries(entries)


def test_the_check_refuses_a_red_flag_entry():
    entry = {"story": "bladder at the screen", "why": "x",
             "mismatches": ["bladder at the screen: turn 3: action: expected action_escalate, got utter_x"]}
    assert safety_entries([entry]) == ["bladder at the screen"]
