"""How well Backline reads caregivers: the labelled corpora of tests/corpus/ run through the clinical core.

    python -m bench.reading                  # the blind split: figures only -> bench/reading.md, reading.json
    python -m bench.reading --split dev      # the dev split: figures, and every failure in bench/work/
    python -m bench.reading --readers rules  # one reader alone (rules | model | both; default: as configured)
    python -m bench.reading --split dev --files "b9*" --held-out  # a retired split, the model trained without it

Each single message is sent in the state its label names (an opening, a reply to the form's question
`asked`, or a message after an assessment) by harness.dialogue, and judged by its level:
  now    the turn escalates (triage seek_care_now)                       -> emergency recall
  none   the turn does not escalate                                      -> false emergencies
  today  each labelled same-day sign is recorded (or the turn escalates) -> same-day recall
  ask    the turn escalates or asks at once whether the sign is new
and, for plain answers to a question, whether the answer is taken (the topic is answered and not asked
again, with no "didn't follow"). Whole conversations are judged after each labelled turn and at the end.
On the blind split only figures are written: whoever changes the reading must not read its failures.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import yaml

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"
WORK = ROOT / "bench" / "work"
LEVELS = ("now", "today", "ask", "none")
TRIAGE_ORDER = ["self_care", "contact_care_team", "contact_care_team_today", "seek_care_now"]


def load(split: str, files: str = "*") -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    """Every message and conversation of a split (files in name order, those whose name matches `files`), each
    with the file it came from."""
    messages, conversations = [], []
    for path in sorted((CORPUS / split).glob(f"{files}.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in data.get("messages") or []:
            if isinstance(item, dict) and isinstance(item.get("text"), str):
                messages.append({**item, "_file": path.name})
        for item in data.get("conversations") or []:
            if isinstance(item, dict) and item.get("turns"):
                conversations.append({**item, "_file": path.name})
    return messages, conversations


# ---------------------------------------------------------------- the states a message is sent in

_WHO = {"spouse": "my wife", "parent": "my son", "adult_child": "my mum", "paid_carer": "my client",
        "friend": "my neighbour"}
_CONDITION_WORDS = {"als": "ALS", "ms": "MS"}


def _opening(item: Dict[str, Any]) -> str:
    who = _WHO.get(str(item.get("voice")), "my husband")
    condition = _CONDITION_WORDS.get(str(item.get("condition") or "").lower())
    if item.get("asked") == "condition" or not condition:
        return f"{who} has back pain"
    return f"{who} has {condition} and back pain"


def dialogue_in_state(item: Dict[str, Any]):
    """A Dialogue standing where the message's label says it is sent."""
    from bot.turn import ask_turn
    from harness.conversation import answer_for
    from harness.dialogue import Dialogue

    dialogue = Dialogue()
    state = item.get("state") or "opening"
    if state == "form":
        topic = item.get("asked")
        dialogue.send(_opening(item))
        if topic:
            asked = ask_turn(dialogue.case, topic)
            dialogue.case, dialogue.asked = asked.case, topic
    elif state == "after_assessment":
        condition = _CONDITION_WORDS.get(str(item.get("condition") or "").lower(), "MS")
        reply = dialogue.send(f"My husband has {condition}. His back has ached for years, same as always, nothing new.")
        for _ in range(12):
            if not reply.asked:
                break
            reply = dialogue.send(answer_for(reply.asked))
    return dialogue


# ---------------------------------------------------------------- judging

def _rank(triage: Optional[str]) -> int:
    return TRIAGE_ORDER.index(triage) + 1 if triage in TRIAGE_ORDER else 0


def invariants(reply) -> List[str]:
    """What no turn may do, whatever was said: stay silent, repeat itself, or bury an escalation."""
    from bot.knowledge_base import knowledge

    broken = []
    texts = [t for t in reply.texts if t]
    if not texts:
        broken.append("silent")
    if len(texts) != len(set(texts)):
        broken.append("repeats a message")
    headline = _headline()
    said = sum(t.count(headline) for t in texts)
    if said > 1:
        broken.append("escalation said twice")
    if reply.escalated and texts and not any(headline in t for t in texts[-3:]):
        broken.append("escalation not last")
    anything_else = knowledge().messages["chat"]["anything_else"]
    if reply.intent and any(anything_else == t for t in texts) and not reply.slots.get("triage"):
        broken.append("speaks of an answer not given")
    return broken


def judge_message(item: Dict[str, Any]) -> Dict[str, Any]:
    from bot.case import topics_answered
    from bot.knowledge_base import knowledge

    dialogue = dialogue_in_state(item)
    before = dict(dialogue.slots)
    asked_before = dialogue.asked
    started = time.perf_counter()
    reply = dialogue.send(item["text"])
    seconds = time.perf_counter() - started
    level = item.get("level") if item.get("level") in LEVELS else "none"
    slots = reply.slots
    escalated = reply.escalated or (slots.get("triage") == "seek_care_now" and before.get("triage") != "seek_care_now")
    flags = set(slots.get("red_flags") or [])
    warnings = set(slots.get("warning_signs") or [])
    out: Dict[str, Any] = {"level": level, "escalated": escalated, "class": item.get("class"),
                           "seconds": seconds, "broken": invariants(reply), "got": {
                               "red_flags": sorted(flags), "warning_signs": sorted(warnings),
                               "triage": slots.get("triage"), "check": reply.check, "asked": reply.asked}}
    if level == "now":
        out["ok"] = escalated
        out["signs"] = {f: f in flags for f in item.get("red_flags") or []}
    elif level == "none":
        out["ok"] = not escalated
    elif level == "today":
        want = set(item.get("warning_signs") or [])
        out["signs"] = {w: w in warnings or escalated for w in want}
        out["ok"] = escalated or (all(out["signs"].values()) if want else
                                  bool(warnings) or _rank(slots.get("triage")) >= 3)
    else:  # ask
        suspect = set(item.get("suspect") or item.get("red_flags") or [])
        out["ok"] = escalated or bool(reply.check) or "possible_red_flag" in warnings or bool(suspect & flags)
    if item.get("crisis"):
        crisis = knowledge().messages["crisis"]["text"]
        first = crisis[0] if isinstance(crisis, list) else crisis
        out["crisis_ok"] = any(first[:40] in t for t in reply.texts)
    topic = item.get("answers")
    if item.get("class") == "topic_answer" and topic and asked_before == topic and level in ("none", "today"):
        didnt = knowledge().messages["chat"]["didnt_follow"]
        out["taken"] = topic in topics_answered(dialogue.case) and reply.asked != topic and \
            not any(didnt == t for t in reply.texts)
    return out


def judge_conversation(item: Dict[str, Any]) -> Dict[str, Any]:
    from harness.dialogue import Dialogue

    dialogue = Dialogue()
    failures, broken = [], []
    escalations = 0
    for number, turn in enumerate(item["turns"]):
        text = turn.get("say") if isinstance(turn, dict) else None
        if not isinstance(text, str):
            continue
        before = dialogue.slots.get("triage")
        reply = dialogue.send(text)
        escalated = reply.escalated or (reply.slots.get("triage") == "seek_care_now" and before != "seek_care_now")
        escalations += escalated
        broken += [f"turn {number}: {b}" for b in invariants(reply)]
        # (r14: once escalated, a message confirming the emergency gets the emergency advice again: what the caregiver
        # sees is the escalation, though no new one is recorded)
        expect = turn.get("expect") or {}
        if expect.get("level") == "now" and before == "seek_care_now" and any(_headline() in t for t in reply.texts):
            escalated = True
        failures += [f"turn {number}: {f}" for f in _expected(expect, reply, escalated)]
    final = item.get("final") or {}
    if final:
        last = dialogue.slots
        failures += [f"final: {f}" for f in _expected(final, type("R", (), {"slots": last, "check": None})(),
                                                       escalated=None)]
    return {"ok": not failures, "failures": failures, "broken": broken, "escalations": escalations}


def _headline() -> str:
    from bot.knowledge_base import knowledge

    return knowledge().messages["escalation"]["headline"]


def _expected(expect: Dict[str, Any], reply, escalated: Optional[bool]) -> List[str]:
    out = []
    slots = reply.slots
    level = expect.get("level")
    if escalated is not None and level == "now" and not escalated:
        out.append("missed emergency")
    if escalated is not None and level == "none" and escalated:
        out.append("false emergency")
    if escalated is not None and level == "ask" and not (escalated or reply.check or
                                                         "possible_red_flag" in (slots.get("warning_signs") or [])):
        out.append("did not ask whether it is new")
    for flag in expect.get("red_flags") or []:
        if flag not in (slots.get("red_flags") or []):
            out.append(f"red flag {flag} not recorded")
    for sign in expect.get("warning_signs") or []:
        if sign not in (slots.get("warning_signs") or []) and slots.get("triage") != "seek_care_now":
            out.append(f"same-day sign {sign} not recorded")
    if expect.get("no_red_flags") and slots.get("red_flags"):
        out.append(f"red flags {slots.get('red_flags')} recorded for a picture without any")
    return out


# ---------------------------------------------------------------- figures

def _share(hits: int, total: int) -> Dict[str, Any]:
    return {"hits": hits, "total": total, "rate": round(hits / total, 4) if total else None}


def figures(split: str, files: str = "*") -> Tuple[Dict[str, Any], List[Dict[str, Any]]]:
    messages, conversations = load(split, files)
    results = [(m, judge_message(m)) for m in messages]
    convs = [(c, judge_conversation(c)) for c in conversations]
    by_level = defaultdict(list)
    for _, r in results:
        by_level[r["level"]].append(r)
    sign_hits: Dict[str, List[bool]] = defaultdict(list)
    for _, r in results:
        for sign, hit in (r.get("signs") or {}).items():
            sign_hits[sign].append(hit)
    taken = [r["taken"] for m, r in results if "taken" in r]
    taken_by_topic: Dict[str, List[bool]] = defaultdict(list)
    for m, r in results:
        if "taken" in r:
            taken_by_topic[m["answers"]].append(r["taken"])
    broken = Counter(b for _, r in results for b in r["broken"]) + \
        Counter(b.split(": ", 1)[1] for _, r in convs for b in r["broken"])
    conv_missed = sum(any("missed emergency" in f for f in r["failures"]) for _, r in convs)
    conv_false = sum(any("false emergency" in f or "recorded for a picture" in f for f in r["failures"])
                     for _, r in convs)
    report = {
        "split": split,
        "messages": len(messages), "conversations": len(conversations),
        "emergency_recall": _share(sum(r["ok"] for r in by_level["now"]), len(by_level["now"])),
        "false_emergencies": _share(sum(not r["ok"] for r in by_level["none"]), len(by_level["none"])),
        # a "is it new?" question asked of a message that tells no sign to ask about (denied, old, harmless)
        "needless_checks": _share(sum(bool(r["got"]["check"]) for r in by_level["none"]), len(by_level["none"])),
        "same_day_recall": _share(sum(r["ok"] for r in by_level["today"]), len(by_level["today"])),
        "asked_or_escalated": _share(sum(r["ok"] for r in by_level["ask"]), len(by_level["ask"])),
        "topic_answers_taken": _share(sum(taken), len(taken)),
        "topic_answers_by_topic": {t: _share(sum(v), len(v)) for t, v in sorted(taken_by_topic.items())},
        "crisis_resources": _share(sum(r.get("crisis_ok", False) for _, r in results if "crisis_ok" in r),
                                   sum(1 for _, r in results if "crisis_ok" in r)),
        "signs": {s: _share(sum(v), len(v)) for s, v in sorted(sign_hits.items())},
        "conversations_ok": _share(sum(r["ok"] for _, r in convs), len(convs)),
        "conversations_missed_emergency": conv_missed,
        "conversations_false_emergency": conv_false,
        "invariants_broken": dict(broken),
        "p95_ms": round(1000 * sorted(r["seconds"] for _, r in results)[int(0.95 * (len(results) - 1))], 1)
        if results else None,
    }
    failures = [{"file": m["_file"], "text": m["text"], "label": {k: m.get(k) for k in (
        "class", "state", "asked", "level", "red_flags", "warning_signs", "suspect", "answers")}, **r}
        for m, r in results if not r.get("ok", True) or r.get("taken") is False or r["broken"]]
    failures += [{"file": c["_file"], "conversation": c.get("id"), **r} for c, r in convs if not r["ok"] or r["broken"]]
    return report, failures


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _pct(share: Dict[str, Any]) -> str:
    return "n/a" if share["rate"] is None else f"{100 * share['rate']:.1f}% ({share['hits']}/{share['total']})"


def markdown(reports: Dict[str, Dict[str, Any]], written: str) -> str:
    rows = [("emergency recall (target 100%)", "emergency_recall"),
            ("false emergencies (target at most 1%)", "false_emergencies"),
            ("needless 'is it new?' questions (of the same messages)", "needless_checks"),
            ("same-day signs recorded (target at least 95%)", "same_day_recall"),
            ("unclear onset: asked or escalated", "asked_or_escalated"),
            ("plain topic answers taken (target at least 97%)", "topic_answers_taken"),
            ("crisis resources at once", "crisis_resources"),
            ("whole conversations right", "conversations_ok")]
    names = list(reports)
    lines = ["# Reading figures (`python -m bench.reading`)", "",
             f"Measured on commit {_commit()}; the blind split: {written.rstrip('.')}.", "",
             "| figure | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for label, key in rows:
        lines.append(f"| {label} | " + " | ".join(_pct(reports[n][key]) for n in names) + " |")
    first = reports[names[0]]
    lines += ["", f"Messages: {first['messages']}; conversations: {first['conversations']}; conversations with a "
              f"missed emergency: {first['conversations_missed_emergency']}; with a false emergency: "
              f"{first['conversations_false_emergency']}.", "",
              "State invariants broken (turns): " + (", ".join(f"{k}: {v}" for k, v in
                                                     first["invariants_broken"].items()) or "none") + ".", "",
              "Signs (recall of each labelled sign, " + names[0] + "):", "",
              "| sign | recorded |", "|---|---|"]
    lines += [f"| {s} | {_pct(v)} |" for s, v in first["signs"].items()]
    lines += ["", "Plain answers taken, by topic (" + names[0] + "):", "", "| topic | taken |", "|---|---|"]
    lines += [f"| {t} | {_pct(v)} |" for t, v in first["topic_answers_by_topic"].items()]
    return "\n".join(lines) + "\n"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="blind", choices=("blind", "dev"))
    parser.add_argument("--readers", nargs="*", default=None,
                        help="reader set-ups to compare: rules, model, both (default: the configured one)")
    parser.add_argument("--out", default=None, help="markdown file (default bench/reading.md for blind)")
    parser.add_argument("--failures", default=None, help="dev split: where to write the failures (JSON)")
    parser.add_argument("--files", default="*", help="dev split: only the files whose name (without .yml) matches")
    parser.add_argument("--held-out", action="store_true",
                        help="dev split with --files: the second reader is first trained without those files (a "
                             "temporary model under bench/work/), so its figures on them are held out")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    if args.held_out:
        if args.split != "dev" or args.files == "*":
            parser.error("--held-out needs --split dev and --files GLOB (the files to hold out)")
        from bot import reading_model
        model = WORK / "reading-model-held-out.pkl"
        reading_model.train(out=model, leave_out=args.files)
        reading_model.reset(model)
    setups = args.readers or ["both"]
    reports: Dict[str, Dict[str, Any]] = {}
    for setup in setups:
        from bot import reading_model
        reading_model.use(setup)
        if args.split == "blind" and args.files != "*":
            parser.error("the blind split is measured whole")
        report, failures = figures(args.split, args.files)
        reports[setup] = report
        if args.split == "dev":
            WORK.mkdir(parents=True, exist_ok=True)
            path = Path(args.failures) if args.failures else WORK / f"reading-dev-failures-{setup}.json"
            path.write_text(json.dumps(failures, indent=1, ensure_ascii=False), encoding="utf-8")
            print(f"{len(failures)} failures -> {path}")
    written_file = CORPUS / "blind" / "WRITTEN"
    written = written_file.read_text(encoding="utf-8").strip() if written_file.exists() else "not recorded"
    text = markdown(reports, written)
    print(text)
    out = Path(args.out) if args.out else (ROOT / "bench" / "reading.md" if args.split == "blind" else None)
    if out:
        out.write_text(text, encoding="utf-8")
        out.with_suffix(".json").write_text(json.dumps({"commit": _commit(), "written": written,
                                                        "reports": reports}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
