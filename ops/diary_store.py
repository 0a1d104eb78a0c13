"""The pain diary's table, in the same database as the trackers (ops.settings.database()).

Interface used by the actions, the file routes, delete and retention:
    store = diary_store()                      # from ops.settings.database(), bounded like the tracker store
    store.add(conversation, entry) -> int      # entry: bot.diary.Entry; returns its id
    store.entries(conversation) -> List[Entry] # oldest first (by "when"), each with "id"
    store.delete_conversation(conversation) -> int
    store.purge(conversations) -> int          # retention: the diaries of purged conversations

The diary is a table of its own (`backline_diary`: id, conversation, happened, logged, entry JSON), not
tracker events: it survives a new session and is read without loading a tracker. It is created on first
use. Every call runs in a worker thread bounded by BACKLINE_STORE_TIMEOUT and raises StoreUnavailable
(ops/store_guard.py) when the database fails or hangs, with no SQL parameter (diary text) in the error
or the logs. The SQLite file keeps its 0600 mode.

Files rendered from a diary for one conversation (the terminal's chart and report) live under
var/reports/<key>/, where <key> is an HMAC of the conversation id (not the id itself); deleting the
conversation or purging it deletes that folder too (`rendered_dir`, `delete_files`). Retention also deletes
the diaries whose conversation has no event any more (`purge_orphans`).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import shutil
import threading
import weakref
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional

import sqlalchemy as sa

from ops import settings
from ops.store_guard import StoreCalls, StoreUnavailable

TABLE = "backline_diary"
REPORTS_DIR = "var/reports"
CHUNK = 500
MAX_WORDS = 500  # bot/diary.py: the caregiver's own words, at most 500 characters

_metadata = sa.MetaData()
diary_table = sa.Table(
    TABLE, _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("conversation", sa.String(255), nullable=False, index=True),
    sa.Column("happened", sa.String(40), nullable=False),  # ISO 8601 UTC: sorts as text
    sa.Column("logged", sa.String(40), nullable=False),
    sa.Column("entry", sa.Text, nullable=False),
)

_created: "weakref.WeakSet" = weakref.WeakSet()  # engines whose database has the table (ids get reused)
_created_lock = threading.Lock()


def ensure_table(engine) -> None:
    """Creates the table once per engine (and per process); two servers creating it at once is fine."""
    if engine in _created:
        return
    with _created_lock:
        if engine in _created:
            return
        try:
            _metadata.create_all(engine, checkfirst=True)
        except sa.exc.SQLAlchemyError:
            if not sa.inspect(engine).has_table(TABLE):  # not a lost race with another server: a real failure
                raise
        _created.add(engine)


def _has_table(engine) -> bool:
    return engine in _created or sa.inspect(engine).has_table(TABLE)


# --- files rendered for a conversation --------------------------------------------------------------

def reports_root() -> Path:
    return settings.ROOT / REPORTS_DIR


def rendered_dir(conversation: str, create: bool = False) -> Path:
    """Where files rendered for this conversation go (var/reports/<HMAC of the id>/, mode 0700)."""
    key = hmac.new(settings.web_secret(), b"diary-files:" + conversation.encode(), hashlib.sha256).hexdigest()[:32]
    path = reports_root() / key
    if create:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


class FilesRemain(OSError):
    """A conversation's rendered files could not be removed (the rows may be gone already)."""


def delete_files(conversation: str) -> None:
    """Removes the folder of files rendered for this conversation; FilesRemain when it is still there."""
    path = rendered_dir(conversation)
    shutil.rmtree(path, ignore_errors=True)
    if path.exists():
        raise FilesRemain(f"a diary folder under {REPORTS_DIR} could not be removed")


# --- the rows, on any engine (the tracker store's own engine for delete and retention) ---------------

def add_row(engine, conversation: str, entry: Dict[str, Any]) -> int:
    if not conversation or len(conversation) > 255:
        raise ValueError("a diary entry needs a conversation id of 1 to 255 characters")
    entry = {key: value for key, value in entry.items() if key != "id"}
    if isinstance(entry.get("words"), str):
        entry["words"] = entry["words"][:MAX_WORDS]
    happened = str(entry.get("when") or entry.get("logged") or "")
    logged = str(entry.get("logged") or happened)
    ensure_table(engine)
    with engine.begin() as conn:
        result = conn.execute(diary_table.insert().values(
            conversation=conversation, happened=happened, logged=logged, entry=json.dumps(entry)))
        return int(result.inserted_primary_key[0])


def read_rows(engine, conversation: str) -> List[Dict[str, Any]]:
    if not _has_table(engine):
        return []
    query = (sa.select(diary_table.c.id, diary_table.c.entry)
             .where(diary_table.c.conversation == conversation)
             .order_by(diary_table.c.happened, diary_table.c.id))
    with engine.connect() as conn:
        return [{**json.loads(entry), "id": row_id} for row_id, entry in conn.execute(query)]


def delete_rows_in(conn, conversations: Iterable[str]) -> int:
    """Deletes the diary rows of these conversations inside the caller's transaction; how many rows."""
    conversations = list(conversations)
    if not conversations or not sa.inspect(conn).has_table(TABLE):
        return 0
    deleted = 0
    for start in range(0, len(conversations), CHUNK):
        chunk = conversations[start:start + CHUNK]
        deleted += conn.execute(diary_table.delete().where(diary_table.c.conversation.in_(chunk))).rowcount or 0
    return deleted


def delete_rows(engine, conversations: Iterable[str]) -> int:
    """Deletes the diaries (rows, then rendered files) of these conversations; how many rows. FilesRemain when
    the rows are gone but a folder of files is not."""
    conversations = list(conversations)
    deleted = 0
    if conversations and _has_table(engine):
        with engine.begin() as conn:
            deleted = delete_rows_in(conn, conversations)
    for conversation in conversations:
        delete_files(conversation)
    return deleted


def purge_gone(engine, conversations: Iterable[str]) -> int:
    """Retention's hook: the diaries of those conversations that no longer have any tracker event (a
    conversation that got a message during the purge keeps its diary with its events)."""
    conversations = list(conversations)
    if not conversations or not _has_table(engine):
        return 0
    events = sa.Table("events", sa.MetaData(), autoload_with=engine)
    kept = set()
    with engine.connect() as conn:
        for start in range(0, len(conversations), CHUNK):
            chunk = conversations[start:start + CHUNK]
            query = sa.select(events.c.sender_id).where(events.c.sender_id.in_(chunk)).distinct()
            kept.update(row[0] for row in conn.execute(query))
    return delete_rows(engine, [c for c in conversations if c not in kept])


def purge_orphans(engine, logged_before: str, limit: int = CHUNK) -> int:
    """Deletes the diaries of conversations that have no tracker event any more (a deletion or a purge that
    removed the events but not the diary, or a diary written for a conversation whose events were never
    saved), when their newest entry was logged before `logged_before` (ISO 8601 UTC): a diary written a
    moment ago for a conversation being saved right now is left alone. At most `limit` conversations."""
    if not _has_table(engine) or not sa.inspect(engine).has_table("events"):
        return 0
    events = sa.Table("events", sa.MetaData(), autoload_with=engine)
    has_events = sa.select(events.c.sender_id).where(events.c.sender_id == diary_table.c.conversation).exists()
    query = (sa.select(diary_table.c.conversation).where(~has_events)
             .group_by(diary_table.c.conversation)
             .having(sa.func.max(diary_table.c.logged) < logged_before).limit(limit))
    with engine.connect() as conn:
        orphans = [row[0] for row in conn.execute(query)]
    return delete_rows(engine, orphans) if orphans else 0


# --- the store the actions and the file routes use ---------------------------------------------------

def engine_kwargs(database: settings.Database) -> Dict[str, Any]:
    """Like the tracker store's engine (ops/stores.py), without importing Rasa into the action server:
    a restarted database does not fail a call, a dead one fails within the store timeout, and SQL
    parameters (diary text) stay out of error messages."""
    kwargs: Dict[str, Any] = {"pool_pre_ping": True, "hide_parameters": True}
    if database.kind == "postgresql":
        timeout = settings.store_timeout()
        kwargs.update(connect_args={"connect_timeout": max(1, int(timeout))}, pool_timeout=timeout,
                      pool_size=2, max_overflow=4)
    return kwargs


class DiaryStore:
    """The diary table on `database`, every call bounded by `timeout` seconds (StoreUnavailable)."""

    def __init__(self, database: Optional[settings.Database] = None, timeout: Optional[float] = None) -> None:
        self.database = database or settings.database()
        if self.database.kind == "sqlite":
            self.database.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
            settings.make_private(self.database.sqlite_path)
        self.engine = sa.create_engine(self.database.url, **engine_kwargs(self.database))
        self.calls = StoreCalls("diary store", timeout or settings.store_timeout(),
                                workers=1 if self.database.kind == "sqlite" else 4)

    def _bounded(self, call: Callable[[], Any]) -> Any:
        if threading.current_thread().name.startswith(f"backline-{self.calls.name}"):
            return call()  # already in one of our workers (through `run`), already bounded
        future = self.calls.executor.submit(call)
        try:
            return future.result(self.calls.timeout)
        except FutureTimeout:
            raise StoreUnavailable(f"the diary store did not answer within {self.calls.timeout:g} s") from None
        except ValueError:
            raise
        except Exception as error:  # noqa: BLE001 - the driver's message may carry diary text
            raise StoreUnavailable(f"the diary store failed ({type(error).__name__})") from None

    async def run(self, call: Callable[[], Any]) -> Any:
        """For async callers: `await store.run(lambda: store.entries(conversation))` keeps the loop free."""
        return await self.calls.run(call)

    def add(self, conversation: str, entry: Dict[str, Any]) -> int:
        return self._bounded(lambda: add_row(self.engine, conversation, entry))

    def entries(self, conversation: str) -> List[Dict[str, Any]]:
        return self._bounded(lambda: read_rows(self.engine, conversation))

    def delete_conversation(self, conversation: str) -> int:
        return self._bounded(lambda: delete_rows(self.engine, [conversation]))

    def purge(self, conversations: Iterable[str]) -> int:
        conversations = list(conversations)
        return self._bounded(lambda: delete_rows(self.engine, conversations))

    def close(self) -> None:
        self.engine.dispose()
        self.calls.executor.shutdown(wait=False)


_stores: Dict[str, DiaryStore] = {}
_stores_lock = threading.Lock()


def diary_store(database: Optional[settings.Database] = None) -> DiaryStore:
    """One store (one engine, one pool) per database and process."""
    database = database or settings.database()
    with _stores_lock:
        store = _stores.get(database.url)
        if store is None:
            store = _stores[database.url] = DiaryStore(database)
        return store
