"""The clinician review pack: every sentence Backline can show, grouped by condition and level, each with the
sources it cites and the sentence it rests on. ``python -m bot statements`` writes docs/safety/statements.md;
tests/bot/test_statements.py fails when that file is out of date."""
from __future__ import annotations

from pathlib import Path
from typing import Dict, Iterable, List, Tuple

from .knowledge_base import CONDITIONS, KnowledgeBase, knowledge

OUT = Path(__file__).resolve().parents[1] / "docs" / "safety" / "statements.md"
GROUPS = ("Emergency (seek care now)", "Same day (contact the care team today)", "Soon (contact the care team)",
          "Assessment: why it happens", "What may help", "Answers to questions", "Conversation (not clinical)")
WHO = {"als": "ALS / MND", "ms": "MS", "both": "Both conditions (or not yet named)"}

Row = Tuple[str, str, str, List[str], Dict[str, str]]  # (who, group, text, sources, quotes)


def _rows(kb: KnowledgeBase) -> Iterable[Row]:
    for sign in kb.red_flags.values():
        for field in ("plain", "check_question", "watch_for"):
            yield "both", GROUPS[0], sign[field], sign["sources"], sign.get("quote") or {}
    for sign in kb.warning_signs.values():
        conditions = sign.get("conditions") or ["both"]
        for who in conditions:
            for field in ("plain", "check_question", "watch_for"):
                yield who, GROUPS[1], sign[field], sign["sources"], sign.get("quote") or {}
        for who, note in (sign.get("note") or {}).items():
            yield who, GROUPS[1], note, sign["sources"], sign.get("quote") or {}
    for level, group in (("seek_care_now", GROUPS[0]), ("contact_care_team_today", GROUPS[1]),
                         ("contact_care_team", GROUPS[2]), ("self_care", GROUPS[2])):
        for rule in kb.policy["triage"].get(level, []):
            for who in [c for c in rule.get("conditions") or ["both"] if c != "unknown"] or ["both"]:
                yield who, group, rule["reason"], rule["sources"], rule.get("quote") or {}
    for ptype in kb.pain_types.values():
        for who, why in (ptype.get("why") or {}).items():
            yield (who if who in CONDITIONS else "both"), GROUPS[3], why["text"], why["sources"], why.get("quote") or {}
    for option in kb.management.values():
        conditions = option.get("conditions") or ["both"]
        who = conditions[0] if len(conditions) == 1 else "both"
        yield who, GROUPS[4], option["text"], option["sources"], option.get("quote") or {}
    for answer in kb.answers.values():
        yield "both", GROUPS[5], answer["text"], answer["sources"], answer.get("quote") or {}
    for who, step in kb.messages["while_you_wait"].items():  # after an emergency, each step quoted
        yield ("both" if who == "everyone" else who), GROUPS[0], step["text"], step["sources"], step["quote"]
    yield from _message_rows(kb.messages)


def _message_rows(messages: Dict) -> Iterable[Row]:
    """Every text in messages.yml: the escalation and same-day texts cite their sources; the rest is glue."""
    def walk(node, sources):
        if isinstance(node, dict):
            here = node.get("sources") if isinstance(node.get("sources"), list) else sources
            for key, value in node.items():
                if key not in ("sources", "buttons", "offer_buttons", "offer_summary_buttons", "check_buttons",
                               "more_buttons"):
                    yield from walk(value, here)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value, sources)
        elif isinstance(node, str) and " " in node:
            yield node, sources
    for section, body in messages.items():
        if section == "while_you_wait":
            continue  # clinical steps with their quotes: _rows
        for text, sources in walk(body, []):
            group = GROUPS[0] if section == "escalation" else GROUPS[1] if section == "same_day" else GROUPS[6]
            yield "both", group, text, list(sources or []), {}


def render(kb: KnowledgeBase | None = None) -> str:
    kb = kb or knowledge()
    rows = list(_rows(kb))
    lines = ["# Every sentence Backline can show, for clinical review", "",
             "Written by `python -m bot statements` from `bot/knowledge/` (a test fails when this file is out of",
             "date). Grouped by the condition whose caregivers see it and by level; each sentence with the sources",
             "it cites (titles in `bot/knowledge/sources.yml`, passages in `bot/knowledge/excerpts.yml`) and the",
             "sentence it rests on. Texts with `{placeholders}` are filled in with the caregiver's findings.", ""]
    seen = set()
    for who in ("both", "als", "ms"):
        lines += [f"## {WHO[who]}", ""]
        for group in GROUPS:
            items = [r for r in rows if r[0] == who and r[1] == group and (r[0], r[1], r[2]) not in seen]
            if not items:
                continue
            lines += [f"### {group}", ""]
            for _, _, text, sources, quotes in items:
                seen.add((who, group, text))
                cited = ", ".join(kb.sources[s]["title"] for s in sources) or "none (not a clinical statement)"
                lines.append(f"- {text}")
                lines.append(f"  - sources: {cited}")
                for sid, quote in quotes.items():
                    for sentence in quote if isinstance(quote, list) else [quote]:
                        lines.append(f"  - rests on ({kb.sources[sid]['title']}): \"{sentence}\"")
            lines.append("")
    lines += _source_index(kb)
    return "\n".join(lines).rstrip("\n") + "\n"


def _source_index(kb: KnowledgeBase) -> List[str]:
    """Where each source can be read: public guidance on its publisher's own page, the seed articles by file."""
    lines = ["## Sources", "",
             "Public guidance is quoted from the publisher's own page (the passages are in "
             "`bot/knowledge/excerpts.yml`); the articles are the project's seed files.", ""]
    for sid, src in kb.sources.items():
        where = src["url"] if src["kind"] == "public_guidance" else f"seed file {src['file']}"
        lines.append(f"- `{sid}`: {src['title']} - {where}")
    return lines + [""]


def write(path: Path = OUT) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(), encoding="utf-8")
    return path
