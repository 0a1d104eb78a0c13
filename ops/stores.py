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
  start-up and then at most once an hour (ops/retention.py; `make purge` runs it by hand).

BacklineLockStore serialises the messages of one conversation. With BACKLINE_REDIS_URL it keeps the
ticket locks in Redis and changes them atomically (WATCH/MULTI), which Rasa's RedisLockStore does not do
(its read-modify-write lets two servers take the same ticket: rasa issue 9213). Without it, the locks
are in memory, which is right for exactly one Rasa server.
"""
from __future__ import annotations

import json
import logging
import time
from typing import Any, Callable, Dict, Optional, Text, Tuple

import sqlalchemy as sa
import sqlalchemy.orm

from rasa.core.lock import TicketLock
from rasa.core.lock_store import DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX, LOCK_LIFETIME, LockError, LockStore
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException

from ops import retention, settings

logger = logging.getLogger(__name__)

DELETE_ACTION = "action_delete_conversation"
PURGE_INTERVAL_SECONDS = 3600


class BacklineStoreError(RasaException):
    """A store cannot start; the message names the setting to fix."""


def deletion_requested(tracker: DialogueStateTracker) -> bool:
    """True when the current turn (since the latest user message) ran the delete action."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, ActionExecuted) and event.action_name == DELETE_ACTION:
            return True
    return False


class BacklineTrackerStore(SQLTrackerStore):
    """SQL tracker store on SQLite or PostgreSQL, selected by BACKLINE_* variables."""

    def __init__(self, domain=None, host: Optional[Text] = None, event_broker=None, **kwargs: Any) -> None:
        # `host` (endpoints.yml `url:`) and other endpoint keys are ignored on purpose: the environment
        # decides, so the same endpoints.yml works for `make run`, compose and Kubernetes.
        try:
            self.database = settings.database()
            self.retention_days = settings.retention_days()
            settings.check_database(self.database)
        except settings.ConfigError as error:
            raise BacklineStoreError(f"Backline cannot start its tracker store. {error}") from None
        try:
            super().__init__(domain=domain, host=self.database.url, event_broker=event_broker)
            # Replace Rasa's engine: pool_pre_ping survives a database restart without failing a turn.
            self.engine.dispose()
            self.engine = sa.create_engine(
                self.database.url, pool_pre_ping=True, **create_engine_kwargs(self.database.url)
            )
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        except (ImportError, AttributeError) as error:  # Rasa would swallow these into an in-memory store
            raise BacklineStoreError(
                f"Backline cannot start its tracker store ({self.database.setting}={self.database.safe_url}): {error}"
            ) from None
        self._last_purge = 0.0
        logger.info(
            f"Conversations are stored in {self.database.kind} ({self.database.safe_url}); "
            f"retention: {self.retention_days or 'forever'}{' days' if self.retention_days else ''}."
        )
        self._purge_if_due()

    async def save(self, tracker: DialogueStateTracker) -> None:
        if deletion_requested(tracker):
            deleted = self.delete_conversation(tracker.sender_id)
            logger.info(f"Deleted a conversation at the caregiver's request ({deleted} stored events).")
            return
        await super().save(tracker)
        self._purge_if_due()

    def delete_conversation(self, sender_id: Text) -> int:
        """Deletes every stored event of `sender_id` (all sessions). Returns how many."""
        with self.session_scope() as session:
            count = (
                session.query(self.SQLEvent)
                .filter(self.SQLEvent.sender_id == sender_id)
                .delete(synchronize_session=False)
            )
            session.commit()
        return count

    def _purge_if_due(self) -> None:
        if not self.retention_days:
            return
        if self._last_purge and time.monotonic() - self._last_purge < PURGE_INTERVAL_SECONDS:
            return
        self._last_purge = time.monotonic()
        try:
            conversations, events = retention.purge(self.engine, self.retention_days)
        except Exception as error:  # noqa: BLE001 - retention must never fail a caregiver's turn
            logger.error(f"Retention purge failed ({self.database.setting}): {error}")
            return
        if conversations:
            logger.info(
                f"Retention: deleted {conversations} conversation(s) ({events} events) inactive for more "
                f"than {self.retention_days} days."
            )


# --- lock store ----------------------------------------------------------------------------------

_KEEP = object()  # a change that leaves the stored lock as it is


class BacklineLockStore(LockStore):
    """Ticket locks in Redis (BACKLINE_REDIS_URL, atomic updates) or in memory (one server)."""

    def __init__(self, endpoint_config=None, **_: Any) -> None:
        try:
            url = settings.redis_url()
            if url:
                settings.check_redis(url)
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

            self.red = redis.Redis.from_url(url, socket_timeout=10)
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
            while True:
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

    # the read-modify-write operations of LockStore, made atomic
    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def change(lock):
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, change)
        except Exception as error:  # noqa: BLE001 - same contract as LockStore.issue_ticket
            raise LockError(f"Error while acquiring lock. Error:\n{error}")

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
