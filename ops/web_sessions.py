"""Web widget ids revoked by "delete my conversation" (issue 23).

A web id (`<id>.<expiry>.<signature>`, channels/socketio.py) is a bearer credential the browser keeps. When its
conversation is deleted, the id must not open that conversation id again, from this tab or from any copy of
it: the tracker store's delete (ops/stores.py) calls `revoke`, which

- writes a row to `backline_revoked_web_ids` (in the tracker database, so every Rasa server sees it): an HMAC of
  the id with BACKLINE_WEB_SECRET (not the id itself), kept until every token of that id has expired
  (BACKLINE_WEB_SESSION_DAYS), then dropped; a browser presenting a revoked id gets a fresh conversation;
- notes the conversation in memory, so the socket.io channel that carried the turn moves that socket to a
  fresh id at once and hands the browser its token (`take_revoked`).

Checking an id costs one indexed read per page load (a session_request), bounded like every store call; if
the database does not answer, the id is accepted (its signature and expiry were checked): losing a caregiver's
conversation to a database hiccup would be worse than the rare deleted id used again in that window.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import threading
import time
import weakref
from typing import Optional, Set

import sqlalchemy as sa

from ops import settings

logger = logging.getLogger(__name__)

PREFIX = "web:"
TABLE = "backline_revoked_web_ids"
MAX_NOTED = 10_000  # in-memory notes not collected by a channel (a delete over the HTTP API) must not pile up

_metadata = sa.MetaData()
revoked_table = sa.Table(
    TABLE, _metadata,
    sa.Column("digest", sa.String(64), primary_key=True),
    sa.Column("until", sa.Float, nullable=False, index=True),
)
_created: "weakref.WeakSet" = weakref.WeakSet()
_noted: Set[str] = set()
_lock = threading.Lock()


def digest(session: str, key: Optional[bytes] = None) -> str:
    key = settings.web_secret() if key is None else key
    return hmac.new(key, b"backline revoked web id: " + session.encode(), hashlib.sha256).hexdigest()


def _ensure_table(engine) -> None:
    if engine not in _created:
        _metadata.create_all(engine, checkfirst=True)
        _created.add(engine)


def revoke(engine, conversation_id: str, now: Optional[float] = None) -> bool:
    """Revokes the web id of a deleted conversation (a no-op for other channels). Runs in a store worker thread.
    Never raises: the conversation is deleted either way; a failure is logged (without the id)."""
    if not conversation_id.startswith(PREFIX):
        return False
    session = conversation_id[len(PREFIX):]
    with _lock:
        if len(_noted) >= MAX_NOTED:
            _noted.pop()
        _noted.add(conversation_id)
    now = time.time() if now is None else now
    try:
        _ensure_table(engine)
        row_digest = digest(session)
        with engine.begin() as conn:
            conn.execute(revoked_table.delete().where(revoked_table.c.until <= now))
            conn.execute(revoked_table.delete().where(revoked_table.c.digest == row_digest))
            conn.execute(revoked_table.insert().values(digest=row_digest,
                                                       until=now + settings.web_session_seconds()))
    except (sa.exc.SQLAlchemyError, settings.ConfigError) as error:
        logger.warning("A deleted web conversation's id could not be revoked (%s).", type(error).__name__)
        return False
    return True


def is_revoked(engine, session: str, now: Optional[float] = None) -> bool:
    """Whether the web id `session` (without "web:") was revoked and its revocation still stands."""
    now = time.time() if now is None else now
    _ensure_table(engine)
    with engine.connect() as conn:
        found = conn.execute(sa.select(revoked_table.c.until).where(revoked_table.c.digest == digest(session)))
        until = found.scalar()
    return until is not None and until > now


def take_revoked(conversation_id: str) -> bool:
    """Whether this conversation was deleted (and its id revoked) since the last call, in this process."""
    with _lock:
        if conversation_id in _noted:
            _noted.discard(conversation_id)
            return True
    return False
