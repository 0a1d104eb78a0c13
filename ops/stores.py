"""Backline's tracker store and lock store, chosen by environment variables (see ops/settings.py).

endpoints.yml names them, so a plain `rasa run` from the project folder with no variables set uses them:

    tracker_store:
      type: ops.stores.BacklineTrackerStore
    lock_store:
      type: ops.stores.BacklineLockStore

BacklineTrackerStore is Rasa's SQLTrackerStore on SQLite (default) or PostgreSQL, plus:
- a clear start-up error naming the setting when the database cannot be used (Rasa's own store retries
  forever on a wrong password or an unreachable host, and falls back to an in-memory store when a
  custom store's class raises ImportError/AttributeError: this class raises neither);
- "delete my conversation": when a turn ran `action_delete_conversation`, `save()` deletes every stored
  event of that conversation instead of saving the turn (an action cannot delete rows itself: Rasa
  saves the whole tracker at the end of the turn and would write them back);
- retention: conversations whose last event is older than BACKLINE_RETENTION_DAYS are deleted at
  start-up and then at most once an hour (ops/retention.py; `make purge` runs it by hand);
- constant-cost turns (issue 13), each a switch in ops.settings.SPEEDUPS: a per-server tracker cache
  checked against the database before every use (ops/tracker_cache.py, "tracker_cache"); a save writes
  the turn's new events without counting or re-reading the stored ones ("new_events_only"); SQLite in
  WAL mode with synchronous=NORMAL and kept connections ("sqlite_wal").

Both run their blocking database and Redis calls in worker threads, bounded by BACKLINE_STORE_TIMEOUT,
and a failed save or deletion is reported to the caregiver instead of being hidden in memory
(ops/store_guard.py). The tracker store also refuses a `rasa run --enable-api` that would serve every
conversation to the network without a token (every `rasa run` of this project loads it).

BacklineLockStore serialises the messages of one conversation. With BACKLINE_REDIS_URL it keeps the
ticket locks in Redis and changes them atomically (WATCH/MULTI), which Rasa's RedisLockStore does not do
(its read-modify-write lets two servers take the same ticket: rasa issue 9213). Without it, the locks
are in memory, which is right for exactly one Rasa server.
"""
from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
from contextlib import asynccontextmanager
from itertools import islice
from typing import Any, AsyncIterator, Callable, Dict, List, Optional, Text, Tuple

import sqlalchemy as sa
import sqlalchemy.orm
from rasa.core.lock import TicketLock
from rasa.core.lock_store import DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX, LOCK_LIFETIME, LockError, LockStore
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from ops import diary_store, legacy_ids, retention, settings, tracker_cache, web_sessions
from ops.store_guard import (
    DELETE_FAILED,
    DELETE_PARTIAL,
    DELETE_UNCERTAIN,
    SAVE_FAILED,
    StoreCalls,
    StoreUnavailable,
    record_failure,
    run_in_worker,
)
from ops.tracker_cache import Stored, TrackerCache

logger = logging.getLogger(__name__)

DELETE_ACTION = "action_delete_conversation"
PURGE_INTERVAL_SECONDS = 3600
MAX_SENDER_ID = 255  # SQLTrackerStore's sender_id column is String(255): a longer id fails every save
# Rasa's LockStore polls a busy lock; each poll is one bounded Redis call. A WATCH conflict is retried,
# but never forever: many servers fighting over one conversation's lock is not a normal load.
MAX_LOCK_RETRIES = 50


class BacklineStoreError(RasaException):
    """A store cannot start; the message names the setting to fix."""


class PartialDeletion(StoreUnavailable):
    """The conversation's rows are deleted, but something outside the database (a rendered file) is not."""


# What this process keeps of a conversation outside the tracker store (the policies' replays,
# components/incremental_states.py): each registers a `forget(sender_id)` here, called on the event loop when
# the conversation is deleted. (ops/ never imports components/: the arrows point down.)
_forgetters: List[Callable[[Text], None]] = []


def on_delete(forget: Callable[[Text], None]) -> None:
    if forget not in _forgetters:
        _forgetters.append(forget)


def forget_in_memory(sender_id: Text) -> None:
    for forget in list(_forgetters):
        try:
            forget(sender_id)
        except Exception as error:  # noqa: BLE001 - one cache's bug must not undo a deletion's answer
            logger.error(f"A deleted conversation could not be dropped from memory ({type(error).__name__}).")


def deletion_requested(tracker: DialogueStateTracker) -> bool:
    """True when the current turn (since the latest user message) ran the delete action."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, ActionExecuted) and event.action_name == DELETE_ACTION:
            return True
    return False


def refuse_open_api(argv) -> None:
    """Stops a `rasa run --enable-api` on a non-loopback interface without a token: the API serves every
    conversation. Here because every `rasa run` of this project loads this store (endpoints.yml)."""
    problem = settings.open_api_problem(argv)
    if problem is not None:
        raise BacklineStoreError(f"Backline refuses to start: {problem}")


def guarded_engine_kwargs(database: settings.Database, sqlite_wal: bool = False) -> Dict[Text, Any]:
    """Engine options that keep a dead or hung database from holding a turn, and SQL parameters (message
    text) out of error messages and logs."""
    kwargs: Dict[Text, Any] = {"pool_pre_ping": True, "hide_parameters": True,
                               **create_engine_kwargs(database.url)}
    if database.kind == "sqlite" and sqlite_wal:
        # SQLAlchemy 1.4 opens a new SQLite connection for every query (NullPool); keep two. The pool
        # hands a connection to one thread at a time, so sqlite3's same-thread check is not needed. A kept
        # connection to a local file cannot go stale as a server's can, so it is not pinged before each use
        # (a query per checkout, two or three per turn).
        kwargs.update(poolclass=sa.pool.QueuePool, pool_size=2, connect_args={"check_same_thread": False},
                      pool_pre_ping=False)
    if database.kind == "postgresql":
        timeout = settings.store_timeout()
        connect_args = dict(kwargs.get("connect_args") or {})
        connect_args.setdefault("connect_timeout", max(1, int(timeout)))
        kwargs["connect_args"] = connect_args
        kwargs["pool_timeout"] = timeout
    return kwargs


def use_wal(dbapi_connection, _record) -> None:
    """WAL: readers do not wait for the writer, and a commit appends to the log instead of rewriting
    pages; synchronous=NORMAL syncs at checkpoints, not at every commit (a power cut may lose the last
    turns, never corrupt the file). SQLite gives the -wal and -shm files the database file's mode (0600)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def event_row(sender_id: Text, event: Event) -> Dict[Text, Any]:
    """The `events` row of one event, as SQLTrackerStore.save writes it."""
    data = event.as_dict()
    return dict(sender_id=sender_id, type_name=event.type_name, timestamp=data.get("timestamp"),
                intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                action_name=data.get("name"), data=json.dumps(data))


# Makes "the rows of one conversation after id N" and "its newest id" index look-ups on PostgreSQL, whose
# index on sender_id alone leads to every row of the conversation. (SQLite's index already ends in the id.)
SENDER_ID_INDEX = "CREATE INDEX IF NOT EXISTS backline_events_sender_id_id ON events (sender_id, id)"


class BacklineTrackerStore(SQLTrackerStore):
    """SQL tracker store on SQLite or PostgreSQL, selected by BACKLINE_* variables."""

    def __init__(self, domain=None, host: Optional[Text] = None, event_broker=None, **kwargs: Any) -> None:
        # `host` (endpoints.yml `url:`) and other endpoint keys are ignored on purpose: the environment
        # decides, so the same endpoints.yml works for `make run`, compose and Kubernetes.
        refuse_open_api(sys.argv)
        try:
            self.database = settings.database()
            self.retention_days = settings.retention_days()
            self.calls = StoreCalls("tracker store", settings.store_timeout(),
                                    workers=1 if self.database.kind == "sqlite" else 4)
            settings.check_database(self.database)
        except settings.ConfigError as error:
            raise BacklineStoreError(f"Backline cannot start its tracker store. {error}") from None
        try:
            super().__init__(domain=domain, host=self.database.url, event_broker=event_broker)
            # Replace Rasa's engine: pool_pre_ping survives a database restart without failing a turn.
            self.engine.dispose()
            wal = settings.speedup("sqlite_wal") and self.database.kind == "sqlite"
            self.engine = sa.create_engine(self.database.url, **guarded_engine_kwargs(self.database, wal))
            if wal:
                sa.event.listen(self.engine, "connect", use_wal)
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        except (ImportError, AttributeError) as error:  # Rasa would swallow these into an in-memory store
            raise BacklineStoreError(
                f"Backline cannot start its tracker store ({self.database.setting}={self.database.safe_url}): {error}"
            ) from None
        self.table = self.SQLEvent.__table__
        # Built once: building an insert goes through SQLAlchemy's deprecation checks each time (3% of the
        # server at saturation).
        self.insert_events = self.table.insert()
        self.new_events_only = settings.speedup("new_events_only")
        self.cache = TrackerCache(self.engine) if settings.speedup("tracker_cache") else None
        if self.database.kind != "sqlite":
            self._create_index()
        self._last_purge = 0.0
        legacy_ids.migrate_safely(self.engine)  # conversations under bare Slack/Telegram ids: out of REST's reach
        self._purge_interval = PURGE_INTERVAL_SECONDS
        logger.info(
            f"Conversations are stored in {self.database.kind} ({self.database.safe_url}); "
            f"retention: {self.retention_days or 'forever'}{' days' if self.retention_days else ''}."
        )
        self._purge_now()

    def _create_index(self) -> None:
        try:
            with self.engine.begin() as conn:
                conn.execute(sa.text(SENDER_ID_INDEX))
        except sa.exc.SQLAlchemyError as error:  # two servers starting at once: the other one made it
            logger.warning(f"Could not create the index backline_events_sender_id_id ({type(error).__name__}).")

    @property
    def domain(self) -> Domain:
        return self._domain

    @domain.setter
    def domain(self, domain: Optional[Domain]) -> None:
        # A new model may have other slots: cached trackers were built with the old ones.
        self._domain = domain or Domain.empty()
        if getattr(self, "cache", None) is not None:
            self.cache.clear()

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        return await self.calls.run(lambda: self._retrieve_latest(sender_id))

    def _retrieve_latest(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        if self.cache is not None:
            return self.cache.retrieve(sender_id, self._load)
        tracker, _ = self._load(sender_id)
        if tracker is not None:
            tracker_cache.mark(tracker, Stored(len(tracker.events), None))
        return tracker

    def _load(self, sender_id: Text) -> Tuple[Optional[DialogueStateTracker], Optional[int]]:
        """SQLTrackerStore.retrieve (the latest session's events, replayed), and the newest row id it read."""
        with self.session_scope() as session:
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).all()
            if not rows:
                return None, None
            events = [json.loads(row.data) for row in rows]
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots), rows[-1].id

    async def retrieve_full_tracker(self, conversation_id: Text) -> Optional[DialogueStateTracker]:
        return await self.calls.run_coroutine(
            lambda: super(BacklineTrackerStore, self).retrieve_full_tracker(conversation_id))

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Saves the turn, or deletes the conversation when the turn asked for it. Never raises: a failure
        is recorded for the channel to report (Rasa's fail-safe would keep the tracker in memory)."""
        deleting = deletion_requested(tracker)
        sender_id = tracker.sender_id
        try:
            if len(sender_id) > MAX_SENDER_ID:
                raise StoreUnavailable(f"the conversation id is longer than {MAX_SENDER_ID} characters")
            if deleting:
                try:
                    deleted = await self.calls.run(lambda: self.delete_conversation(sender_id))
                finally:
                    tracker_cache.mark(tracker, None)  # what is stored of it is not known any more
                    forget_in_memory(sender_id)
                logger.info(f"Deleted a conversation at the caregiver's request ({deleted} stored events).")
                return
            await self.calls.run(lambda: self._save_turn(tracker))
        except StoreUnavailable as error:
            record_failure(sender_id, deletion_failure(error) if deleting else SAVE_FAILED)
            logger.error(f"A conversation could not be {'deleted' if deleting else 'saved'}: {error}. "
                         f"The caregiver is told so in the reply.")
            return
        await self._purge_if_due()

    def _save_turn(self, tracker: DialogueStateTracker) -> None:
        before = tracker_cache.stored(tracker)
        events = tracker.events
        saved = False
        if self.new_events_only and self.event_broker is None and events.maxlen is None \
                and (before is None or before.events <= len(events)):
            with self.engine.begin() as conn:
                # A tracker the store did not hand out is a new conversation (Rasa's get_or_create_tracker saves it
                # at once): every event is new when the conversation has no rows; else Rasa's count decides.
                if before is not None or tracker_cache.fingerprint(conn, tracker.sender_id).count == 0:
                    rows = [event_row(tracker.sender_id, event)
                            for event in islice(events, before.events if before else 0, None)]
                    if rows:
                        conn.execute(self.insert_events, rows)
                    now = tracker_cache.fingerprint(conn, tracker.sender_id) if self.cache else None
                    saved = True
        if not saved:  # Rasa's save: counts the stored events of the session and writes those after them
            run_in_worker(SQLTrackerStore.save(self, tracker))
            with self.engine.connect() as conn:
                now = tracker_cache.fingerprint(conn, tracker.sender_id) if self.cache else None
        if self.cache is not None:
            self.cache.saved(tracker, before, now)
        else:
            tracker_cache.mark(tracker, Stored(len(events), None))

    def delete_conversation(self, sender_id: Text) -> int:
        """Deletes every stored event of `sender_id` (all sessions) and its pain diary in one transaction (both
        or neither), then the diary's rendered files: PartialDeletion when the rows are gone but a file is not.
        Returns how many events."""
        with self.engine.begin() as conn:
            count = conn.execute(self.table.delete().where(self.table.c.sender_id == sender_id)).rowcount or 0
            diary_store.delete_rows_in(conn, [sender_id])
        if self.cache is not None:
            self.cache.drop(sender_id)
        web_sessions.revoke(self.engine, sender_id)  # a web widget's id no longer opens it (never raises)
        try:
            diary_store.delete_files(sender_id)
        except OSError as error:
            raise PartialDeletion(f"the conversation's rows are deleted but not its files ({error})") from None
        return count

    def _purge_due(self) -> bool:
        return not (self._last_purge and time.monotonic() - self._last_purge < self._purge_interval)

    async def _purge_if_due(self) -> None:
        """Retention, from a turn: in the store's worker thread and bounded like every store call."""
        if not self._purge_due():
            return
        self._last_purge = time.monotonic()
        try:
            done = await self.calls.run(self._purge)
        except StoreUnavailable as error:  # retention must never fail a caregiver's turn
            logger.error(f"Retention purge failed ({self.database.setting}): {error}")
            return
        self._purged(*done)

    def _purge_now(self) -> None:
        """Retention at start-up, before the server answers anyone (one bounded step, as from a turn)."""
        self._last_purge = time.monotonic()
        try:
            self._purged(*self._purge())
        except Exception as error:  # noqa: BLE001 - retention must never stop the server
            logger.error(f"Retention purge failed ({self.database.setting}): {type(error).__name__}")

    def _purge(self) -> Tuple[int, int, int]:
        """One bounded step of retention: at most retention.CHUNK expired conversations and as many orphaned
        diaries. (conversations, events, orphaned diaries) deleted."""
        conversations, events = retention.purge(self.engine, self.retention_days, limit=retention.CHUNK)
        orphans = retention.purge_orphans(self.engine)
        return conversations, events, orphans

    def _purged(self, conversations: int, events: int, orphans: int) -> None:
        # More left than one step takes: the next turn takes the next step, not an hour later.
        more = conversations >= retention.CHUNK or orphans >= retention.CHUNK
        self._purge_interval = retention.STEP_INTERVAL_SECONDS if more else PURGE_INTERVAL_SECONDS
        if conversations and self.cache is not None:
            self.cache.clear()  # other servers' caches see the rows gone at their next check
        if conversations or orphans:
            logger.info(
                f"Retention: deleted {conversations} conversation(s) ({events} events) inactive for more than "
                f"{self.retention_days} days, and {orphans} pain diaries whose conversation was gone."
            )


def deletion_failure(error: StoreUnavailable) -> Text:
    """What is known after a failed deletion (channels/__init__.py words it for the caregiver)."""
    if isinstance(error, PartialDeletion):
        return DELETE_PARTIAL
    return DELETE_UNCERTAIN if error.timed_out else DELETE_FAILED


# --- lock store ----------------------------------------------------------------------------------

_KEEP = object()  # a change that leaves the stored lock as it is


class BacklineLockStore(LockStore):
    """Ticket locks in Redis (BACKLINE_REDIS_URL, atomic updates) or in memory (one server)."""

    def __init__(self, endpoint_config=None, **_: Any) -> None:
        try:
            url = settings.redis_url()
            if url:
                settings.check_redis(url)
            elif settings.sanic_workers() > 1:
                raise settings.ConfigError(
                    "SANIC_WORKERS", "several Sanic workers with in-memory locks would let two messages of one "
                    "conversation run at once.", "Set BACKLINE_REDIS_URL, or SANIC_WORKERS=1.")
            self.calls = StoreCalls("lock store", settings.store_timeout(), workers=4)
        except settings.ConfigError as error:
            raise BacklineStoreError(f"Backline cannot start its lock store. {error}") from None
        self.redis_url = url
        self._memory: Dict[Text, TicketLock] = {}
        self.red = None
        prefix = ""
        if endpoint_config is not None:
            prefix = str((endpoint_config.kwargs or {}).get("key_prefix") or "")
        self.key_prefix = (f"{prefix}:" if prefix.isalnum() else "") + "backline:" + DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX
        if url:
            import redis

            timeout = settings.store_timeout()
            self.red = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
            logger.info(f"Conversation locks are kept in Redis ({settings.mask_redis(url)}).")
        else:
            logger.info("Conversation locks are kept in memory (one Rasa server; set BACKLINE_REDIS_URL for more).")
        super().__init__()

    # storage primitives used by LockStore
    def get_lock(self, conversation_id: Text) -> Optional[TicketLock]:
        if self.red is None:
            return self._memory.get(conversation_id)
        raw = self.red.get(self.key_prefix + conversation_id)
        return TicketLock.from_dict(json.loads(raw)) if raw else None

    def delete_lock(self, conversation_id: Text) -> None:
        if self.red is None:
            self._memory.pop(conversation_id, None)
        else:
            self.red.delete(self.key_prefix + conversation_id)

    def save_lock(self, lock: TicketLock) -> None:
        if self.red is None:
            self._memory[lock.conversation_id] = lock
        else:
            self.red.set(self.key_prefix + lock.conversation_id, lock.dumps(), ex=self._ttl())

    @staticmethod
    def _ttl() -> int:
        # A crashed server's lock disappears by itself; tickets expire after LOCK_LIFETIME anyway.
        return int(LOCK_LIFETIME) * 2 + 10

    def _change(self, conversation_id: Text, change: Callable[[Optional[TicketLock]], Tuple[Any, Any]]) -> Any:
        """Read-modify-write of one lock, atomic across servers.

        `change(lock)` returns (new lock, result): a TicketLock to store, None to delete, or _KEEP.
        In memory, one server's event loop already makes this atomic (no await in between).
        """
        if self.red is None:
            new, result = change(self._memory.get(conversation_id))
            if new is None:
                self._memory.pop(conversation_id, None)
            elif new is not _KEEP:
                self._memory[conversation_id] = new
            return result
        import redis

        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            for _ in range(MAX_LOCK_RETRIES):
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(raw)) if raw else None
                    new, result = change(lock)
                    pipe.multi()
                    if new is None:
                        pipe.delete(key)
                    elif new is not _KEEP:
                        pipe.set(key, new.dumps(), ex=self._ttl())
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue  # another server changed the lock in between: read it again
            raise LockError(f"the lock changed under us {MAX_LOCK_RETRIES} times in a row")

    # the read-modify-write operations of LockStore, made atomic
    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def change(lock):
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, change)
        except Exception as error:  # noqa: BLE001 - same contract as LockStore.issue_ticket
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from None

    def update_lock(self, conversation_id: Text) -> None:
        def change(lock):
            if lock is None:
                return _KEEP, None
            lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, change)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        def change(lock):
            if lock is None:
                return _KEEP, None
            lock.remove_ticket_for(ticket_number)
            return lock, None

        self._change(conversation_id, change)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        # One atomic step: removing our ticket and deleting the lock if nobody else is waiting. (Two
        # steps would let another server's new ticket be deleted in between.)
        def change(lock):
            if lock is None:
                return _KEEP, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self._change(conversation_id, change)

    # Rasa's LockStore.lock, with every Redis call off the event loop and bounded. When Redis fails or
    # hangs, the message is handled without the lock (logged): a caregiver's red flag must not wait on
    # the lock store, and one conversation rarely sends two messages at once.
    @asynccontextmanager
    async def lock(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = 1) -> AsyncIterator[Optional[TicketLock]]:
        if self.red is None:
            async with super().lock(conversation_id, lock_lifetime, wait_time_in_seconds) as lock:
                yield lock
            return
        ticket: Optional[int] = None
        lock: Optional[TicketLock] = None
        try:
            ticket = await self.calls.run(lambda: self.issue_ticket(conversation_id, lock_lifetime))
            lock = await self._wait_for_turn(conversation_id, ticket, wait_time_in_seconds, lock_lifetime)
        except StoreUnavailable as error:
            logger.warning(f"Lock store unavailable ({error}); this message is handled without the lock.")
        try:
            yield lock
        finally:
            if ticket is not None:
                try:
                    await self.calls.run(lambda: self.cleanup(conversation_id, ticket))
                except StoreUnavailable as error:
                    logger.warning(f"Lock store unavailable ({error}); the ticket expires by itself.")

    async def _wait_for_turn(self, conversation_id: Text, ticket: int, wait_time_in_seconds: float,
                             lock_lifetime: float) -> Optional[TicketLock]:
        """LockStore._acquire_lock with bounded Redis calls and a bounded wait: after `lock_lifetime` the
        message goes ahead without the lock rather than fail (Rasa's loop may wait forever)."""
        deadline = time.monotonic() + lock_lifetime
        while time.monotonic() < deadline:
            lock = await self.calls.run(lambda: self.get_lock(conversation_id))
            if not lock or not lock.is_locked(ticket):
                return lock
            await asyncio.sleep(wait_time_in_seconds)
            await self.calls.run(lambda: self.update_lock(conversation_id))
        logger.warning(f"Waited {lock_lifetime:g} s for a conversation's lock; handling the message without it.")
        return None
