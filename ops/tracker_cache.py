"""Each Rasa server's cache of recent conversations, checked against the tracker store before every use.

Rasa's SQL tracker store rebuilds a conversation on every message: it loads every event of the session
and replays them, so a turn costs more the longer the conversation (issue 13). The cache keeps the
tracker this server last read or saved, with the fingerprint of the stored rows it was built from (how
many rows the conversation has, and the newest row id). Before each use one indexed query reads the
fingerprint again:

- unchanged: a copy of the cached tracker;
- only more rows (another server answered in between): just those rows are read and applied;
- anything else (deleted, purged by retention, rows missing, a new session started elsewhere): dropped and
  read again in full.

After a save the cache keeps the tracker as the store now holds it, a new conversation or a new session
included (kept as a full read would build it: the latest session's events only).

The check is against the database, not against what this server wrote, so several servers sharing one
database stay correct; the lock store keeps two turns of one conversation from overlapping.
Switch: ops.settings.speedup("tracker_cache").
"""
from __future__ import annotations

import copy
import json
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from itertools import islice
from typing import Callable, Optional, Text, Tuple

import sqlalchemy as sa
from rasa.shared.core.events import SessionStarted, deserialise_events
from rasa.shared.core.slots import Slot
from rasa.shared.core.trackers import AnySlotDict, DialogueStateTracker

# Enough for the conversations one server answers in an hour; a tracker of a few hundred turns is a
# few megabytes, and an evicted conversation is only read again in full.
MAX_CONVERSATIONS = 256
# A conversation idle this long leaves the server's memory (a caregiver's text is not kept there for
# longer than a conversation needs); coming back costs one full read.
MAX_IDLE_SECONDS = 15 * 60
_MARK = "_backline_stored"


@dataclass(frozen=True)
class Fingerprint:
    """The stored rows of one conversation, all sessions: how many, and the newest id."""

    count: int
    last_id: Optional[int]


@dataclass(frozen=True)
class Stored:
    """How much of a tracker object is in the database: its first `events` events, which the rows with
    `fingerprint` hold (None: not known, so the tracker is not cached)."""

    events: int
    fingerprint: Optional[Fingerprint]


def stored(tracker: DialogueStateTracker) -> Optional[Stored]:
    """What the store knows it holds of this tracker object (None: a tracker it did not hand out)."""
    return getattr(tracker, _MARK, None)


def mark(tracker: DialogueStateTracker, what: Optional[Stored]) -> None:
    setattr(tracker, _MARK, what)


# Plain SQL, written once: building these with SQLAlchemy's expression language on every turn cost more
# than running them. (The table is SQLTrackerStore's `events`.)
FINGERPRINT = sa.text("SELECT count(*), max(id) FROM events WHERE sender_id = :sender_id")
ROWS_AFTER = sa.text("SELECT id, type_name, data FROM events WHERE sender_id = :sender_id AND id > :last_id "
                     "ORDER BY id")


def fingerprint(conn, sender_id: Text) -> Fingerprint:
    count, last_id = conn.execute(FINGERPRINT, {"sender_id": sender_id}).one()
    return Fingerprint(int(count), last_id)


def rows_after(conn, sender_id: Text, last_id: int) -> list:
    return list(conn.execute(ROWS_AFTER, {"sender_id": sender_id, "last_id": last_id}))


def copy_slot(slot: Slot) -> Slot:
    """`copy.copy(slot)`, six times faster: Rasa's slots keep their whole state in their `__dict__` (checked by
    tests/ops/test_tracker_cache.py for every slot type), and a turn copies every slot several times."""
    other = object.__new__(type(slot))
    other.__dict__ = slot.__dict__.copy()
    return other


def twin(tracker: DialogueStateTracker) -> DialogueStateTracker:
    """A tracker that can change without changing `tracker`, made without replaying its events (Rasa's
    `copy()` replays them all). The events are shared: Rasa never changes an event once it is logged."""
    other = copy.copy(tracker)
    other.events = deque(tracker.events, tracker.events.maxlen)
    other.slots = type(tracker.slots)((name, copy_slot(slot)) for name, slot in tracker.slots.items())
    other.active_loop = copy.copy(tracker.active_loop)
    other.latest_action = copy.copy(tracker.latest_action)
    return other


def as_read(tracker: DialogueStateTracker) -> DialogueStateTracker:
    """The tracker a full read of its stored rows builds (SQLTrackerStore's query): the events from the time of
    the latest session start on, replayed from their stored form."""
    start = max((event.timestamp for event in tracker.events if isinstance(event, SessionStarted)), default=None)
    events = [event.as_dict() for event in tracker.events if start is None or event.timestamp >= start]
    slots = None if isinstance(tracker.slots, AnySlotDict) else tracker.slots.values()
    return DialogueStateTracker.from_dict(tracker.sender_id, events, slots)


Loader = Callable[[Text], Tuple[Optional[DialogueStateTracker], Optional[int]]]


class TrackerCache:
    """Trackers by conversation id, least recently used dropped first. Store calls run in several worker
    threads, hence the lock; trackers go in and out as copies, so no two turns share one."""

    def __init__(self, engine, size: int = MAX_CONVERSATIONS, max_idle: float = MAX_IDLE_SECONDS) -> None:
        self.engine = engine
        self.size = size
        self.max_idle = max_idle
        # sender id -> (tracker, fingerprint, last used), least recently used first
        self._entries: "OrderedDict[Text, Tuple[DialogueStateTracker, Fingerprint, float]]" = OrderedDict()
        self._lock = threading.Lock()

    def retrieve(self, sender_id: Text, load: Loader) -> Optional[DialogueStateTracker]:
        """The conversation's latest session as `load(sender_id)` would build it (returning the tracker and
        the newest row id it read), from the cache when the stored rows allow."""
        with self.engine.connect() as conn:
            now = fingerprint(conn, sender_id)
            if now.count == 0:
                self.drop(sender_id)
                return None
            tracker = self._fresh(conn, sender_id, now)
        if tracker is None:
            tracker, last_id = load(sender_id)
            if tracker is None:
                self.drop(sender_id)
                return None
            if last_id != now.last_id:  # rows came or went while it loaded: do not trust it next time
                mark(tracker, Stored(len(tracker.events), None))
                self.drop(sender_id)
                return tracker
            self._put(sender_id, twin(tracker), now)
        mark(tracker, Stored(len(tracker.events), now))
        return tracker

    def _fresh(self, conn, sender_id: Text, now: Fingerprint) -> Optional[DialogueStateTracker]:
        """A copy of the cached tracker brought up to `now`, or None when it has to be read in full."""
        with self._lock:
            self._forget_idle()
            entry = self._entries.get(sender_id)
        if entry is None:
            return None
        cached, seen, _ = entry
        if seen == now:
            return twin(cached)
        if now.count <= seen.count or seen.last_id is None:
            return None
        rows = rows_after(conn, sender_id, seen.last_id)
        complete = bool(rows) and seen.count + len(rows) == now.count and rows[-1].id == now.last_id
        if not complete or any(row.type_name == SessionStarted.type_name for row in rows):
            return None  # rows deleted as well as added, or a new session (read only from its start)
        tracker = twin(cached)
        # Applied as Rasa's full read applies them: without this server's model id stamped on them.
        ids, (tracker.model_id, tracker.assistant_id) = (tracker.model_id, tracker.assistant_id), (None, None)
        for event in deserialise_events([json.loads(row.data) for row in rows]):
            tracker.update(event)
        tracker.model_id, tracker.assistant_id = ids
        self._put(sender_id, twin(tracker), now)
        return tracker

    def saved(self, tracker: DialogueStateTracker, before: Optional[Stored], now: Fingerprint) -> None:
        """After a save: caches the tracker when `now` is exactly the rows known `before` (none, for a tracker
        the store did not hand out: a new conversation) plus the new events, so no other server wrote
        meanwhile; else drops the conversation."""
        new = list(islice(tracker.events, before.events if before else 0, None))
        rows_before = 0 if before is None else before.fingerprint.count if before.fingerprint else None
        if rows_before is None or now.count != rows_before + len(new):
            mark(tracker, Stored(len(tracker.events), None))
            self.drop(tracker.sender_id)
            return
        if any(isinstance(event, SessionStarted) for event in new):
            # A full read holds the latest session only: this tracker object holds more than is cached.
            mark(tracker, Stored(len(tracker.events), None))
            self._put(tracker.sender_id, as_read(tracker), now)
            return
        mark(tracker, Stored(len(tracker.events), now))
        self._put(tracker.sender_id, twin(tracker), now)

    def _put(self, sender_id: Text, tracker: DialogueStateTracker, seen: Fingerprint) -> None:
        with self._lock:
            self._entries[sender_id] = (tracker, seen, time.monotonic())
            self._entries.move_to_end(sender_id)
            self._forget_idle()
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def _forget_idle(self) -> None:
        cutoff = time.monotonic() - self.max_idle
        while self._entries and next(iter(self._entries.values()))[2] < cutoff:
            self._entries.popitem(last=False)

    def drop(self, sender_id: Text) -> None:
        with self._lock:
            self._entries.pop(sender_id, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __contains__(self, sender_id: Text) -> bool:
        with self._lock:
            return sender_id in self._entries
