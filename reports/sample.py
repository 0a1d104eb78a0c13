"""A realistic sample diary, and the README's pictures made from it.

    python -m reports.sample docs/screenshots/     # writes diary-chart.png and diary-report.png

Four weeks of a caregiver's entries for a man with MS: spasms at night, nerve pain after a hot bath,
one fall (a same-day warning) and one red flag. The summary is bot.diary.summarize's, so the pictures
show what the bot itself would say once the diary core is in.
"""
from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)


def _entry(days_ago: float, hour: int, pain_type, severity, where="lower back", triggers=(), helped=(),
           triage="self_care", red_flags=(), warning_signs=(), words="") -> Dict[str, Any]:
    when = (NOW - timedelta(days=days_ago)).replace(hour=hour, minute=0)
    return {"when": when.isoformat(), "logged": (when + timedelta(hours=9)).isoformat(), "pain_type": pain_type,
            "location": where, "severity": severity, "triggers": list(triggers), "helped": list(helped),
            "triage": triage, "red_flags": list(red_flags), "warning_signs": list(warning_signs), "words": words}


def sample_entries() -> List[Dict[str, Any]]:
    return [
        _entry(27, 22, "spasticity", 6, triggers=["cold"], helped=["stretching"], words="spasms in bed, about 6"),
        _entry(25, 21, "spasticity", 7, triggers=["lying still"], helped=["stretching", "warm pack"],
               words="bad night, spasms, about 7"),
        _entry(23, 20, "neuropathic", 5, triggers=["heat"], helped=["rest"],
               words="burning again after the hot bath"),
        _entry(20, 23, "spasticity", 6, triggers=["lying still"], helped=["stretching"], words="spasms again"),
        _entry(18, 15, "musculoskeletal", 4, where="middle back", triggers=["transfers"], helped=["rest"],
               words="sore after the transfer to the chair"),
        _entry(16, 20, "neuropathic", None, triggers=["heat"], words="burning after the bath, not too bad"),
        _entry(13, 10, "musculoskeletal", 7, triggers=["fall"], helped=["rest"],
               triage="contact_care_team_today", warning_signs=["minor_fall"],
               words="slipped off the bed this morning, back hurts"),
        _entry(11, 22, "spasticity", 8, triggers=["lying still"], helped=["warm pack"], words="worst night yet, 8"),
        _entry(9, 21, "spasticity", 6, triggers=["cold"], helped=["stretching"], words="spasms, 6"),
        _entry(6, 19, "neuropathic", 5, triggers=["heat"], helped=["cool shower"], words="burning, after a bath"),
        _entry(4, 7, "unclear", 9, triggers=[], triage="seek_care_now", red_flags=["bladder_bowel"],
               words="very bad this morning and he could not pass water"),
        _entry(2, 22, "spasticity", 5, triggers=["lying still"], helped=["stretching"], words="spasms but better"),
        _entry(1, 21, "spasticity", 4, helped=["stretching", "warm pack"], words="easier night, about 4"),
    ]


def main(argv: List[str]) -> int:
    from bot.diary import summarize
    from reports.chart import render_chart
    from reports.report import render_report_png

    out = Path(argv[0] if argv else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    entries = sample_entries()
    (out / "diary-chart.png").write_bytes(render_chart(entries, NOW))
    (out / "diary-report.png").write_bytes(render_report_png(entries, summarize(entries, NOW), NOW))
    print(f"wrote {out / 'diary-chart.png'} and {out / 'diary-report.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
