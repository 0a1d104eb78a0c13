"""One long conversation over REST (issue 13): does the 200th message cost what the 20th does?

A single sender talks for up to a few hundred turns without the conversation ever ending or resetting (no
"start over", no goodbye, no deletion; the session lasts 240 minutes, far longer than the run). Two series:

- knowledge: one knowledge question after another (what issue 13 measured on main);
- mix: what a caregiver coming back for days says: the symptom form walked to its end (answering whatever is
  asked), a summary, thanks, knowledge questions, "what can you do", again and again.

Per 20-turn window: p50 and p95; the growth ratio is p50(turns 180-200) / p50(turns 10-30). Used by
`make bench` (bench/bench.py) and the levers run (bench/levers.py). Loopback only, every request bounded.

Each series can be talked `repeats` times, each conversation under a sender of its own, one after the other: the
growth ratio is then the p50 of the 180-200th turns of all of them over the p50 of their 10-30th turns (20 turns a
conversation in each window). On this shared 2-core machine one window of 20 turns catches a spike of other work
(issue 25's run of 2026-12-07 12:15: 9.9, 9.8, 10.8, 15.4, 11.0, ... ms per window, then 14.7 ms at 180-200 alone);
each conversation's own ratio is kept beside the pooled one (`growth_each`), and the per-turn series drawn is the
median across the conversations.

The two windows of the mix hold different messages (turns 10-30 are mostly the first walk through the symptom form,
turns 180-200 whatever the cycle reaches there), so their ratio mixes what the messages cost with how long the
conversation is. `same_message_growth` compares like with like: for every message text sent both in turns 10-60 and in
turns 150-200 (of any of the conversations), its median latency late over its median early; the figure is the median
of those ratios, with how many texts it rests on. For the knowledge series both estimators see the same questions.
"""
from __future__ import annotations

import asyncio
from typing import Any, Dict, Iterator, List, Optional

import aiohttp
import numpy as np

from bench.caregivers import Turn, asked_topic, percentiles, question_topics, send
from harness.conversation import ANSWERS, UNSURE

WINDOW = 20
EARLY = (10, 30)   # turns [10, 30): past the first-call effects of a new conversation
LATE = (180, 200)  # issue 13's "turns 180-200"
GROWTH_TARGET = 1.5
SERIES = ("knowledge", "mix")

# Knowledge questions a caregiver asks (ask_knowledge), in several wordings, cycled.
KNOWLEDGE = (
    "does MS cause back pain",
    "what is spasticity",
    "what is Lhermitte's sign",
    "what helps MS back pain",
    "is back pain part of motor neurone disease",
    "what does neuropathic mean",
    "can a better wheelchair cushion help back pain",
    "why does heat make ms worse",
    "is massage good for als back pain",
    "what are the warning signs i should look out for",
    "would a back brace help him",
    "why does sitting all day hurt his back",
)
# Between two walks through the symptom form.
INTERLUDE = (
    "yes please, a summary for the care team",
    "thanks",
    *KNOWLEDGE[:6],
    "what can you do?",
    *KNOWLEDGE[6:],
    "ok thank you",
)
# What starts each walk through the symptom form: the first visit, then news on later days.
OPENINGS = (
    "my husband has MS and his back hurts",
    "his back is hurting again today",
    "the pain in his back is worse this evening",
    "he says his lower back burns again",
)
MAX_FORM_TURNS = 12  # a form walk ends when nothing is asked, or after this many answers


def knowledge_messages() -> Iterator[Optional[str]]:
    while True:
        yield from KNOWLEDGE


class MixedCaregiver:
    """The realistic mix: the next message depends on what the last reply asked."""

    def __init__(self, questions: Dict[str, str]) -> None:
        self.questions = questions
        self.queue: List[str] = []
        self.answering = 0
        self.walks = 0

    def next(self, last_replies: List[Dict[str, Any]]) -> str:
        topic = asked_topic(last_replies, self.questions)
        if topic and self.answering and self.answering < MAX_FORM_TURNS:
            self.answering += 1
            return ANSWERS.get(topic, UNSURE)
        if self.answering:  # the form walk is over: the interlude, then the next walk
            self.answering = 0
            self.queue = list(INTERLUDE)
        if self.queue:
            return self.queue.pop(0)
        self.answering = 1
        self.walks += 1
        return OPENINGS[(self.walks - 1) % len(OPENINGS)]


async def _talk(url: str, sender: str, turns: int, series: str) -> List[Turn]:
    questions = question_topics()
    mixed = MixedCaregiver(questions)
    knowledge = knowledge_messages()
    result: List[Turn] = []
    async with aiohttp.ClientSession() as session:
        for position in range(turns):
            text = next(knowledge) if series == "knowledge" else mixed.next(result[-1].replies if result else [])
            result.append(await send(session, url, sender, text, f"long-{series}", position))
    return result


def windows(latencies_s: List[float], size: int = WINDOW) -> List[Dict[str, float]]:
    """p50 and p95 (ms) of each whole `size`-turn window."""
    out = []
    for start in range(0, len(latencies_s) - size + 1, size):
        stats = percentiles(latencies_s[start:start + size])
        out.append({"start": start, "end": start + size, "p50": stats["p50"], "p95": stats["p95"]})
    return out


def p50_ms(latencies_s: List[float], span) -> float:
    part = latencies_s[span[0]:span[1]]
    return float(np.percentile(np.asarray(part) * 1000, 50)) if len(part) == span[1] - span[0] else float("nan")


def growth(latencies_s: List[float]) -> float:
    """p50(turns 180-200) / p50(turns 10-30); nan when the conversation was shorter than 200 turns."""
    return p50_ms(latencies_s, LATE) / p50_ms(latencies_s, EARLY)


SAME_EARLY = (10, 60)
SAME_LATE = (150, 200)
SAME_MIN_TEXTS = 5


def same_message_growth(conversations: List[List[Any]]) -> Dict[str, float]:
    """The median, over message texts sent both in turns SAME_EARLY and in turns SAME_LATE, of their median latency
    late over their median latency early (see the module's docstring); nan with fewer than SAME_MIN_TEXTS such texts.
    `conversations`: lists of turns with `.text`, `.latency` and `.ok`."""
    early: Dict[str, List[float]] = {}
    late: Dict[str, List[float]] = {}
    for conversation in conversations:
        for position, turn in enumerate(conversation):
            if not turn.ok:
                continue
            if SAME_EARLY[0] <= position < SAME_EARLY[1]:
                early.setdefault(turn.text, []).append(turn.latency)
            elif SAME_LATE[0] <= position < SAME_LATE[1]:
                late.setdefault(turn.text, []).append(turn.latency)
    ratios = [float(np.median(late[text]) / np.median(early[text])) for text in sorted(set(early) & set(late))]
    return {"ratio": float(np.median(ratios)) if len(ratios) >= SAME_MIN_TEXTS else float("nan"),
            "texts": len(ratios)}


def history(server, sender: str) -> Dict[str, int]:
    """What the stored tracker holds after the run: its events, the sessions started and the restarts (one
    session, no restart: the conversation never ended or reset). Needs the server's HTTP API."""
    import requests

    response = requests.get(f"{server.url}/conversations/{sender}/tracker", params={"include_events": "ALL"},
                            timeout=60)
    response.raise_for_status()
    events = response.json().get("events") or []
    return {"events": len(events), "sessions": sum(e.get("event") == "session_started" for e in events),
            "restarts": sum(e.get("event") == "restart" for e in events)}


def pooled_p50_ms(runs: List[List[float]], span) -> float:
    """The p50 (ms) of turns [span) of every conversation together; nan if any was shorter."""
    if any(len(run) < span[1] for run in runs) or not runs:
        return float("nan")
    return float(np.percentile(np.asarray([x for run in runs for x in run[span[0]:span[1]]]) * 1000, 50))


def long_conversation(server, turns: int, series: str, sender: str, repeats: int = 1) -> Dict[str, Any]:
    """`repeats` conversations of `turns` turns of `series` against a running RasaServer, one after the other,
    and their figures (see the module's docstring)."""
    url = f"{server.url}/webhooks/rest/webhook"
    senders = [sender] + [f"{sender}-{n}" for n in range(2, repeats + 1)]
    conversations = [asyncio.run(_talk(url, who, turns, series)) for who in senders]
    runs = [[t.latency for t in conversation] for conversation in conversations]
    length = min(len(run) for run in runs)
    latencies = [float(np.median([run[i] for run in runs])) for i in range(length)]
    every = [t for conversation in conversations for t in conversation]
    early, late = pooled_p50_ms(runs, EARLY), pooled_p50_ms(runs, LATE)
    result: Dict[str, Any] = {
        "series": series,
        "length": length,  # not "turns": results.json leaves per-turn records ("turns") out
        "repeats": len(runs),
        "latencies": latencies,
        "windows": windows(latencies),
        "early_p50": early,
        "late_p50": late,
        "growth": late / early,
        "growth_each": [growth(run) for run in runs],
        "growth_same_message": same_message_growth(conversations),
        "latency": percentiles([x for run in runs for x in run]),
        "errors": sum(not t.ok for t in every),
        "empty": sum(t.ok and not t.replies for t in every),
    }
    try:
        result["stored"] = history(server, sender)
    except Exception as error:  # noqa: BLE001 - a bench reports what it could not read, it does not stop
        result["stored"] = {"error": repr(error)}
    return result


def _same(result: Dict[str, Any]) -> str:
    same = result.get("growth_same_message") or {}
    return f"{same.get('ratio', float('nan')):.2f}x over {same.get('texts', 0)} texts"


def summary(name: str, result: Dict[str, Any]) -> str:
    stored = result.get("stored", {})
    last = result["windows"][-1]["p95"] if result["windows"] else float("nan")
    each = ", ".join(f"{g:.2f}x" for g in result.get("growth_each") or [])
    return (f"{name}, long {result['series']}: {result.get('repeats', 1)} x {result['length']} turns, p50 turns 10-30 "
            f"{result['early_p50']:.1f} ms, 180-200 {result['late_p50']:.1f} ms, growth {result['growth']:.2f}x "
            f"(each conversation: {each}), same messages {_same(result)}, last window p95 {last:.1f} ms, "
            f"errors {result['errors']}, empty {result['empty']}, stored {stored}")
