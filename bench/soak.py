"""`make soak`: a few hundred random conversations against the real servers (not in CI).

Each conversation mixes valid turns (openings, answers, questions, small talk), invalid ones (empty,
emoji, 10,000 characters, another language, HTML/script tags, control characters, malformed and
oversized bodies) and red flags buried in messy text. It reports, and exits non-zero unless all are 0:

- errors: a 5xx, a timeout or a refused connection; a valid body answered with a 4xx; an invalid body
  answered with anything but the expected 4xx;
- lost turns: a valid message answered with nothing, or missing from the conversation's tracker;
- red-flag misses: a red-flag message whose reply has no "Seek care now", or whose tracker has no
  `triage: seek_care_now` and `red_flags` right after that turn.

Loopback only and bounded: CONCURRENCY conversations at a time, a timeout on every request, a deadline.
    .venv/bin/python -m bench.soak [--conversations 300] [--seed 1] [--model models]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import aiohttp

from bench.caregivers import SCRIPTS, percentiles, send
from harness.servers import ActionServer, MissingModel, RasaServer, trained_model_dir, warm_up_actions
from harness.stores import STORES

CONCURRENCY = 10
DEADLINE_S = 40 * 60
FILLER = "we had a long day, he was tired and the weather was grey, "
VALID = [t for s in SCRIPTS for t in s.turns if "fell" not in t and "wet herself" not in t] + [
    "what is Lhermitte's sign?", "why do you ask?", "what can you do?", "not sure", "I don't know", "yes", "no",
    "none of these", "can I talk to a person?", "how much gabapentin can he take?", "thanks", "bye",
    "is back pain common in MS?", "she uses a walker", "it gets worse in the evening",
]
MESSY = [
    "", "   ", "😩😩🙏", "a" * 10_000, ("my wife has MS and her lower back aches, " * 300)[:10_000],
    "mi madre tiene esclerosis múltiple y le duele la espalda", "我的父亲有渐冻症，背很痛",
    "<script>alert('x')</script> my mum has ALS and her back aches",
    "his back <b>burns</b> <img src=x onerror=alert(1)>",
    "he has\x00 MS\x07 and his\x1b[31m back hurts\x08", "\u202eshe has MS\u200b and her back hurts\ufeff",
]
RED_FLAGS = [
    "last night he fell out of bed and hit his back", "since this morning she can't feel her legs",
    "today she suddenly can't control her bladder", "he has had a fever since yesterday",
    "he is struggling to breathe since an hour", "she has gone numb between her legs since this afternoon",
    "this afternoon his legs suddenly went weak and he can barely stand",
]
BAD_BODIES = [  # (body, expected status)
    (b'[{"sender": "x", "message": "hi"}]', 400), (b'{"sender": "x"}', 400), (b'{"sender": "x", "message": null}', 400),
    (b'{"sender": "x", "message": ', 400), (json.dumps({"sender": "x", "message": "a" * 300_000}).encode(), 413),
]
RAW_MARKUP = ("<script", "<img", "<b>", "onerror=")


@dataclass
class Tally:
    turns: int = 0
    conversations: int = 0
    errors: List[str] = field(default_factory=list)
    lost: List[str] = field(default_factory=list)
    misses: List[str] = field(default_factory=list)
    red_flag_turns: int = 0
    invalid_turns: int = 0
    latencies: List[float] = field(default_factory=list)


def messy_red_flag(rng: random.Random) -> str:
    flag = rng.choice(RED_FLAGS)
    style = rng.randrange(5)
    if style == 0:
        return FILLER * rng.randint(20, 80) + flag + ". " + FILLER * rng.randint(20, 80)
    if style == 1:
        return f"<p>{FILLER}</p><b>{flag}</b>"
    if style == 2:
        return "😢\x00 " + flag.upper() + " \x1b[0m🙏"
    if style == 3:
        return "my husband has MS and " + flag
    return flag


async def conversation(index: int, session: aiohttp.ClientSession, base: str, rng: random.Random, tally: Tally) -> None:
    url = f"{base}/webhooks/rest/webhook"
    sender = f"soak-{index}-{rng.randrange(10**9)}"
    sent_valid = 0
    deleted = False
    for position in range(rng.randint(3, 12)):
        roll = rng.random()
        payload: Optional[bytes] = None
        expected = 200
        red_flag = False
        if roll < 0.10:
            payload, expected = rng.choice(BAD_BODIES)
            text = "<bad body>"
            tally.invalid_turns += 1
        elif roll < 0.30:
            text = rng.choice(MESSY)
            tally.invalid_turns += 1
        elif roll < 0.42:
            text, red_flag = messy_red_flag(rng), True
            tally.red_flag_turns += 1
        elif position == 0 or roll < 0.55:
            text = rng.choice(SCRIPTS).turns[min(position, 1)]
        else:
            text = rng.choice(VALID)
        turn = await send(session, url, sender, text, payload=payload)
        tally.turns += 1
        tally.latencies.append(turn.latency)
        where = f"{sender} turn {position} ({text[:60]!r})"
        if turn.status != expected:
            tally.errors.append(f"{where}: HTTP {turn.status} (expected {expected}) {turn.error}")
            continue
        if expected != 200:
            continue
        sent_valid += 1
        said = " ".join(r.get("text") or "" for r in turn.replies)
        if not turn.replies:
            tally.lost.append(f"{where}: no reply")
        if any(tag in said for tag in RAW_MARKUP):
            tally.errors.append(f"{where}: raw markup in the reply")
        deleted = deleted or "deleted this conversation" in said
        if red_flag:
            slots = await tracker_slots(session, base, sender)
            if "Seek care now" not in said or slots.get("triage") != "seek_care_now" or not slots.get("red_flags"):
                tally.misses.append(f"{where}: reply {said[:80]!r}, triage {slots.get('triage')}, "
                                    f"red_flags {slots.get('red_flags')}")
    if sent_valid and not deleted:
        tracker = await tracker_json(session, base, sender)
        users = sum(1 for e in tracker.get("events") or [] if e.get("event") == "user")
        if users != sent_valid:
            tally.lost.append(f"{sender}: {sent_valid} messages sent, {users} in the tracker")
    tally.conversations += 1


async def tracker_json(session: aiohttp.ClientSession, base: str, sender: str) -> Dict:
    url = f"{base}/conversations/{sender}/tracker"
    async with session.get(url, timeout=aiohttp.ClientTimeout(total=30)) as response:
        return await response.json()


async def tracker_slots(session: aiohttp.ClientSession, base: str, sender: str) -> Dict:
    return (await tracker_json(session, base, sender)).get("slots") or {}


async def soak(base: str, conversations: int, seed: int) -> Tally:
    tally = Tally()
    rng = random.Random(seed)
    seeds = [rng.randrange(10**9) for _ in range(conversations)]
    limit = asyncio.Semaphore(CONCURRENCY)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=CONCURRENCY * 2)) as session:

        async def one(index: int) -> None:
            async with limit:
                try:
                    await conversation(index, session, base, random.Random(seeds[index]), tally)
                except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
                    tally.errors.append(f"conversation {index}: {error!r}")

        await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(conversations))), timeout=DEADLINE_S)
    return tally


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Backline soak test (not in CI).")
    parser.add_argument("--conversations", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--model", type=Path, help="a trained model or a folder of them (default: models/)")
    args = parser.parse_args(argv)
    try:
        model = trained_model_dir(args.model)
    except MissingModel as error:
        print(error, file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="backline-soak-"))
    actions = ActionServer(workdir)
    rasa = RasaServer(workdir, action_url=actions.webhook, model=model, endpoints_extra=STORES,
                      env={"BACKLINE_SQLITE_PATH": str(workdir / "soak.db")})
    try:
        actions.start()
        warm_up_actions(actions)
        rasa.start()
        started = time.monotonic()
        tally = asyncio.run(soak(rasa.url, args.conversations, args.seed))
        elapsed = time.monotonic() - started
    finally:
        rasa.stop()
        actions.stop()
    lat = percentiles(tally.latencies)
    print(f"soak: {tally.conversations} conversations, {tally.turns} turns ({tally.invalid_turns} invalid, "
          f"{tally.red_flag_turns} red flags) in {elapsed:.0f} s; p50 {lat['p50']:.0f} ms, p95 {lat['p95']:.0f} ms, "
          f"max {lat['max']:.0f} ms")
    for name, found in (("errors", tally.errors), ("lost turns", tally.lost), ("red-flag misses", tally.misses)):
        print(f"  {name}: {len(found)}")
        for line in found[:20]:
            print(f"    - {line}")
    if any((tally.errors, tally.lost, tally.misses)):
        print(f"  server logs and conversations kept in {workdir} (rerun with the same --seed to reproduce)")
        return 1
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
