"""A realistic sample diary, and the README's pictures made from it.

    python -m reports.sample docs/img/     # writes diary-chart.png and report-page1.png

Four weeks of a caregiver's entries for a man with MS: spasms at night, nerve pain after a hot bath,
two entries on one day, thirteen days with nothing logged, one fall (a same-day sign) and one emergency
(logged, and told in the conversation the same day). The summary is bot.diary.summarize's, so the
pictures show what the bot itself says.
"""
from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)


def _entry(days_ago: float, time, pain_type, severity, where="lower back", triggers=(), helped=(),
           triage=None, red_flags=(), warning_signs=(), words="", not_new=None, source=None) -> Dict[str, Any]:
    when = (NOW - timedelta(days=days_ago)).replace(hour=12, minute=0)
    entry = {"when": when.isoformat(), "logged": (when + timedelta(hours=9)).isoformat(), "pain_type": pain_type,
             "location": where, "severity": severity, "triggers": list(triggers), "helped": list(helped),
             "triage": triage, "red_flags": list(red_flags), "warning_signs": list(warning_signs), "words": words,
             "condition": "ms", "time": time, "not_new": dict(not_new or {})}
    if source:
        entry["source"] = source
    return entry


def sample_entries() -> List[Dict[str, Any]]:
    return [
        _entry(27, "night", "spasticity", 6, triggers=["cold"], helped=["stretching"],
               words="spasms in bed, about 6, bad night", not_new={"bladder_bowel": "negated"}),
        _entry(25, "night", "spasticity", 7, triggers=["lying still"], helped=["stretching", "warm pack"],
               words="bad night, spasms, about 7, took paracetamol, didn't help"),
        _entry(23, "evening", "neuropathic", 5, triggers=["heat"], helped=["rest"],
               words="burning again after the hot bath"),
        _entry(23, "night", "spasticity", 5, triggers=["lying still"], helped=["stretching"],
               words="spasms at bedtime, 5"),
        _entry(20, None, "musculoskeletal", 4, where="middle back", triggers=["transfers"], helped=["rest"],
               words="sore after the transfer to the chair, couldn't sit up for long"),
        # nothing logged for 13 days (a holiday): the chart leaves the gap open
        _entry(7, "morning", "musculoskeletal", 7, triggers=["fall"], helped=["rest"],
               triage="contact_care_team_today", warning_signs=["minor_fall"],
               words="slipped off the bed this morning, back hurts"),
        _entry(6, "night", "spasticity", 8, triggers=["lying still"], helped=["warm pack", "baclofen"],
               words="worst night yet, 8, woke up with spasms, gave him baclofen and it eased"),
        _entry(5, None, "neuropathic", None, triggers=["heat"], words="burning after the bath, not too bad"),
        _entry(4, "morning", "unclear", 9, triage="seek_care_now", red_flags=["bladder_bowel"],
               words="very bad this morning and he could not pass water"),
        _entry(3, None, None, None, triage="contact_care_team_today", warning_signs=["infection"],
               words="Told in the conversation with Backline.", source="conversation"),
        _entry(2, "night", "spasticity", 5, triggers=["lying still"], helped=["stretching"],
               words="spasms but better, couldn't get out of bed until lunchtime"),
        _entry(1, "night", "spasticity", 4, helped=["stretching", "warm pack"], words="easier night, about 4"),
    ]


def main(argv: List[str]) -> int:
    from bot.diary import summarize
    from reports.chart import render_chart
    from reports.report import render_report_png

    out = Path(argv[0] if argv else "docs/img")
    out.mkdir(parents=True, exist_ok=True)
    entries = sample_entries()
    (out / "diary-chart.png").write_bytes(render_chart(entries, NOW))
    (out / "report-page1.png").write_bytes(render_report_png(entries, summarize(entries, NOW), NOW))
    print(f"wrote {out / 'diary-chart.png'} and {out / 'report-page1.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
