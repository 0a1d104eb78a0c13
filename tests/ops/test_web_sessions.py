"""'Delete my conversation' revokes the web widget's id (issue 23): the tracker store's delete writes a revocation
every server sees, and tells the socket.io channel of this process. Over socket.io: tests/e2e/test_doors.py."""
from __future__ import annotations

import asyncio

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels.socketio import issue_session, verified_session
from ops import settings, web_sessions
from ops.stores import BacklineTrackerStore
from tests.diary_env import isolate


@pytest.fixture
def tracker_store(monkeypatch, tmp_path):
    isolate(monkeypatch, tmp_path)
    monkeypatch.setenv("BACKLINE_SQLITE_PATH", str(tmp_path / "c.db"))
    store = BacklineTrackerStore()
    yield store
    store.engine.dispose()


def turn(sender, *events):
    return DialogueStateTracker.from_events(sender, [ActionExecuted("action_listen"), *events])


def new_web_id():
    key = settings.web_secret()
    return verified_session(key, issue_session(key))


def test_deleting_a_web_conversation_revokes_its_id_and_only_its_id(tracker_store):
    deleted, kept = new_web_id(), new_web_id()
    said = UserUttered("hi", message_id="1")
    for session in (deleted, kept):
        asyncio.run(tracker_store.save(turn(f"web:{session}", said)))
    asyncio.run(tracker_store.save(turn(f"web:{deleted}", said, ActionExecuted("action_delete_conversation"),
                                        BotUttered("Done"))))
    assert web_sessions.is_revoked(tracker_store.engine, deleted)
    assert not web_sessions.is_revoked(tracker_store.engine, kept)
    assert web_sessions.take_revoked(f"web:{deleted}") and not web_sessions.take_revoked(f"web:{deleted}")
    assert not web_sessions.take_revoked(f"web:{kept}")


def test_a_revocation_lasts_as_long_as_any_token_of_the_id_and_holds_no_id(tracker_store):
    session = new_web_id()
    assert web_sessions.revoke(tracker_store.engine, f"web:{session}", now=1000.0)
    lifetime = settings.web_session_seconds()
    assert web_sessions.is_revoked(tracker_store.engine, session, now=1000.0 + lifetime - 1)
    assert not web_sessions.is_revoked(tracker_store.engine, session, now=1000.0 + lifetime)
    with tracker_store.engine.connect() as conn:
        rows = [tuple(row) for row in conn.execute(web_sessions.revoked_table.select())]
    assert rows and session not in repr(rows)


def test_other_channels_have_nothing_to_revoke(tracker_store):
    assert not web_sessions.revoke(tracker_store.engine, "rest-caregiver-1")
    assert not web_sessions.revoke(tracker_store.engine, "telegram:42")
    assert not web_sessions.take_revoked("rest-caregiver-1")
