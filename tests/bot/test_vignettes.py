"""All caregiver vignettes (tests/vignettes.yml): red flags exact on every case, warning signs exact where
given, triage and pain type 100%."""
from pathlib import Path

import yaml

from bot.assessment import assess
from bot.knowledge_base import RED_FLAGS, TRIAGE_VALUES, WARNING_SIGNS

CASES = yaml.safe_load((Path(__file__).resolve().parents[1] / "vignettes.yml").read_text())["cases"]


def test_vignette_set_covers_the_contract():
    assert len(CASES) >= 45
    pain_types = [c["pain_type"] for c in CASES]
    for ptype in ("neuropathic", "lhermitte", "spasticity", "musculoskeletal", "immobility", "unclear"):
        assert pain_types.count(ptype) >= 3, ptype
    flags = [f for c in CASES for f in c["red_flags"]]
    for flag in RED_FLAGS:
        assert flags.count(flag) >= 2, flag
    warnings = [w for c in CASES for w in c.get("warning_signs", [])]
    for sign in WARNING_SIGNS:
        assert warnings.count(sign) >= 1, sign
    for level in TRIAGE_VALUES:
        assert [c["triage"] for c in CASES].count(level) >= 5, level
    assert len([c for c in CASES if c["id"].startswith("s2_")]) >= 40


def test_vignettes(vignette_summary):
    counts = {"pain_type": 0, "triage": 0, "red_flags": 0, "condition": 0, "warning_signs": 0}
    misses = []
    for case in CASES:
        result = assess(case["text"])
        for key in counts:
            if key not in case:
                continue  # warning_signs: older cases do not state them
            got, want = result[key], case[key]
            if key == "red_flags":
                got, want = sorted(got), sorted(want)
            if got == want:
                counts[key] += 1
            else:
                misses.append(f"{case['id']}: {key} got {got!r} want {want!r}")
    n = len(CASES)
    line = (f"vignettes: pain_type {counts['pain_type']}/{n}, triage {counts['triage']}/{n}, "
            f"red_flags {counts['red_flags']}/{n}, condition {counts['condition']}/{n}, "
            f"warning_signs {counts['warning_signs']}/{sum('warning_signs' in c for c in CASES)}")
    vignette_summary.append(line)
    print(line)
    assert not misses, "\n".join(misses)
