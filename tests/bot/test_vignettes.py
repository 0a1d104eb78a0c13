"""All caregiver vignettes (tests/vignettes.yml): red flags exact on every case, pain type 100%."""
from pathlib import Path

import yaml

from bot.assessment import assess

CASES = yaml.safe_load((Path(__file__).resolve().parents[1] / "vignettes.yml").read_text())["cases"]


def test_vignette_set_covers_the_contract():
    assert len(CASES) >= 45
    pain_types = [c["pain_type"] for c in CASES]
    for ptype in ("neuropathic", "lhermitte", "spasticity", "musculoskeletal", "immobility", "unclear"):
        assert pain_types.count(ptype) >= 3, ptype
    flags = [f for c in CASES for f in c["red_flags"]]
    for flag in ("bladder_bowel", "leg_weakness", "leg_numbness", "saddle_numbness", "injury", "fever", "breathing"):
        assert flags.count(flag) >= 2, flag


def test_vignettes(vignette_summary):
    counts = {"pain_type": 0, "triage": 0, "red_flags": 0, "condition": 0}
    misses = []
    for case in CASES:
        result = assess(case["text"])
        for key in counts:
            got, want = result[key], case[key]
            if key == "red_flags":
                got, want = sorted(got), sorted(want)
            if got == want:
                counts[key] += 1
            else:
                misses.append(f"{case['id']}: {key} got {got!r} want {want!r}")
    n = len(CASES)
    line = (f"vignettes: pain_type {counts['pain_type']}/{n}, triage {counts['triage']}/{n}, "
            f"red_flags {counts['red_flags']}/{n}, condition {counts['condition']}/{n}")
    vignette_summary.append(line)
    print(line)
    assert not misses, "\n".join(misses)
