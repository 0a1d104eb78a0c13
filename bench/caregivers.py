"""Shared by `make bench` (bench/bench.py) and `make soak` (bench/soak.py): the simulated caregivers.

Loopback only, bounded: every request has a timeout, every run a deadline and a turn cap.
"""
from __future__ import annotations

import asyncio
import json
import random
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import aiohttp
import numpy as np

from harness.conversation import ANSWERS, UNSURE  # the typical MS nerve-pain answers the tests use too

REQUEST_TIMEOUT = 30.0
ESCALATION_START = "Seek care now"


def _assessment_marks() -> Tuple[str, ...]:
    """Every assessment ends with the severity question, or the diary offer when the severity was told."""
    from bot.knowledge_base import knowledge

    messages = knowledge().messages
    return messages["severity"]["question"], messages["diary"]["offer"]


ASSESSMENT_MARKS = _assessment_marks()


@dataclass(frozen=True)
class Script:
    """A whole caregiver conversation: what they open with, how they answer each question topic the
    symptom form asks (in whatever order Backline asks), an interruption after some answers, what they
    say once the assessment or escalation came, and the triage it should end with."""
    name: str
    opening: Tuple[str, ...]
    answers: Dict[str, str]
    closing: Tuple[str, ...]
    expected_triage: Optional[str]
    interrupt_after: int = -1      # after this many form answers, send `interruption` instead
    interruption: str = ""
    max_turns: int = 16

    @property
    def turns(self) -> Tuple[str, ...]:
        """Every message the script may send (for the soak test's pool of valid messages)."""
        interruption = (self.interruption,) if self.interruption else ()
        return self.opening + tuple(self.answers.values()) + interruption + self.closing


# The same conversations go to Backline, the floor and the peer.
SCRIPTS: Tuple[Script, ...] = (
    Script("assessment: MS nerve pain",
           ("hi", "my husband has MS and his back hurts"),
           dict(ANSWERS),
           ("yes please, a summary for the care team", "thanks"), "self_care"),
    Script("escalation mid-form: ALS, new bladder problem",
           ("hello", "my mum has ALS and her lower back aches"),
           {"condition": "ALS", "pain_location": "her lower back", "pain_feel": "a deep ache",
            "pain_trigger": "sitting all day", "pain_relief": "it's better when she lies down",
            "pain_timing": "a few weeks", "mobility": "she uses a wheelchair", "red_flag_screen": "none of these"},
           ("thank you",), "seek_care_now", interrupt_after=2,
           interruption="and since this morning she has wet herself twice, that never happens"),
    Script("assessment: ALS stiffness, a question mid-form, screen unsure",
           ("hi there", "my dad has ALS, his lower back is stiff and tight with cramps and spasms"),
           {"condition": "ALS", "pain_location": "lower back", "pain_feel": "tight and stiff, with spasms",
            "pain_trigger": "sudden movements set it off", "pain_relief": "resting doesn't really help",
            "pain_timing": "it's been like this for weeks", "mobility": "he uses a wheelchair",
            "red_flag_screen": "not sure"},
           # "not sure" to the screen: a red flag the caregiver is unsure about is a same-day answer (issue 11)
           ("no thanks",), "contact_care_team_today", interrupt_after=1, interruption="what is spasticity?"),
    Script("escalation at the opening: MS, fall",
           ("my wife has MS and she fell down the stairs last night, now her back really hurts",),
           {}, ("thank you",), "seek_care_now"),
)


def question_topics() -> Dict[str, str]:
    """The symptom form's question texts (bot/knowledge/messages.yml) -> their topic."""
    import bot
    from bot.questions import ask

    return {ask(topic)["text"]: topic for topic in bot.TOPICS}


def asked_topic(replies: List[Dict], questions: Dict[str, str]) -> Optional[str]:
    """The question topic the last of these replies asks, if any."""
    for reply in reversed(replies):
        topic = questions.get(reply.get("text") or "")
        if topic:
            return topic
    return None


@dataclass
class Turn:
    script: str
    position: int
    sender: str
    text: str
    latency: float          # seconds, client side, request sent to reply parsed
    status: int             # HTTP status, 0 for a client-side failure (timeout, connection)
    replies: List[Dict]
    error: str = ""
    finished_at: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == 200 and not self.error

    @property
    def kind(self) -> str:
        """opening, form answer, assessment or escalation, from where the turn is and what was said."""
        said = [r.get("text") or "" for r in self.replies]
        if any(t.startswith(ESCALATION_START) for t in said):
            return "escalation"
        if any(t.startswith(ASSESSMENT_MARKS) for t in said):
            return "assessment"
        if self.position < 2:
            return "opening"
        return "form answer / other"


async def send(session: aiohttp.ClientSession, url: str, sender: str, text: str,
               script: str = "", position: int = 0, payload: Optional[bytes] = None) -> Turn:
    body = payload if payload is not None else json.dumps({"sender": sender, "message": text}).encode()
    started = time.perf_counter()
    try:
        async with session.post(url, data=body, headers={"Content-Type": "application/json"},
                                timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)) as response:
            raw = await response.read()
            status = response.status
        latency = time.perf_counter() - started
        replies = json.loads(raw) if status == 200 else []
        if not isinstance(replies, list):
            replies = []
        return Turn(script, position, sender, text, latency, status, replies, finished_at=time.monotonic())
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
        return Turn(script, position, sender, text, time.perf_counter() - started, 0, [], error=repr(error),
                    finished_at=time.monotonic())


async def converse(session: aiohttp.ClientSession, url: str, sender: str, script: Script, questions: Dict[str, str],
                   think: Tuple[float, float] = (0.0, 0.0), rng: Optional[random.Random] = None,
                   deadline: Optional[float] = None, replay: Optional[List[str]] = None) -> List["Turn"]:
    """One whole conversation, answering whatever Backline asks; bounded by script.max_turns.
    With `replay`, sends exactly those messages instead (the floor, which asks nothing, gets the
    messages Backline's conversation had)."""
    turns: List[Turn] = []
    start = 0
    if replay is not None:
        for position, text in enumerate(replay):
            turns.append(await send(session, url, sender, text, script.name, position))
        return turns
    queue = list(script.opening)
    answered, interrupted, closed = 0, False, False
    topic: Optional[str] = None
    while len(turns) - start < script.max_turns:
        if deadline is not None and time.monotonic() >= deadline:
            break
        if queue:
            text = queue.pop(0)
        elif topic and script.interruption and not interrupted and answered == script.interrupt_after:
            text, interrupted = script.interruption, True
        elif topic:
            text = script.answers.get(topic, UNSURE)
            answered += 1
        elif not closed:
            queue, closed = list(script.closing), True
            continue
        else:
            break
        if think[1] > 0 and rng is not None:
            await asyncio.sleep(rng.uniform(*think))
        turn = await send(session, url, sender, text, script.name, len(turns) - start)
        turns.append(turn)
        topic = asked_topic(turn.replies, questions)
    return turns


@dataclass
class LoadResult:
    caregivers: int
    think: Tuple[float, float]
    elapsed: float
    turns: List[Turn] = field(default_factory=list)
    conversations: int = 0

    @property
    def throughput(self) -> float:
        return len(self.turns) / self.elapsed if self.elapsed else 0.0

    @property
    def errors(self) -> int:
        return sum(not t.ok for t in self.turns)

    @property
    def empty(self) -> int:
        return sum(t.ok and not t.replies for t in self.turns)


async def _load(url: str, caregivers: int, duration: float, think: Tuple[float, float], run_id: str,
                scripts: Sequence[Script], max_turns: int, seed: int) -> LoadResult:
    rng = random.Random(seed)
    questions = question_topics()
    result = LoadResult(caregivers, think, 0.0)
    deadline = time.monotonic() + duration
    connector = aiohttp.TCPConnector(limit=caregivers + 5)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def caregiver(index: int) -> None:
            conversation = 0
            # Stagger the starts so 50 caregivers do not all open at the same millisecond.
            await asyncio.sleep(rng.uniform(0, max(think[1], 0.2)) if caregivers > 1 else 0)
            while time.monotonic() < deadline and len(result.turns) < max_turns:
                script = scripts[(index + conversation) % len(scripts)]
                sender = f"bench-{run_id}-{index}-{conversation}"
                conversation += 1
                result.conversations += 1
                result.turns.extend(await converse(session, url, sender, script, questions, think, rng, deadline))

        started = time.monotonic()
        await asyncio.wait_for(asyncio.gather(*(caregiver(i) for i in range(caregivers))),
                               timeout=duration + REQUEST_TIMEOUT + 30)
        result.elapsed = time.monotonic() - started
    return result


def run_load(url: str, caregivers: int, duration: float, think: Tuple[float, float], run_id: str,
             scripts: Sequence[Script] = SCRIPTS, max_turns: int = 100_000, seed: int = 7) -> LoadResult:
    """`caregivers` simulated caregivers, each going through whole conversations back to back, with a
    random think time before each message, for `duration` seconds (closed loop)."""
    return asyncio.run(_load(url, caregivers, duration, think, run_id, scripts, max_turns, seed))


def percentiles(latencies: Sequence[float]) -> Dict[str, float]:
    """p50/p95/p99/max/mean in milliseconds."""
    if not latencies:
        return {"n": 0, "p50": float("nan"), "p95": float("nan"), "p99": float("nan"), "max": float("nan"),
                "mean": float("nan")}
    values = np.asarray(latencies) * 1000.0
    return {"n": int(values.size), "p50": float(np.percentile(values, 50)), "p95": float(np.percentile(values, 95)),
            "p99": float(np.percentile(values, 99)), "max": float(values.max()), "mean": float(values.mean())}
