"""Conversations stored under bare Slack and Telegram ids, before the channels namespaced them (`telegram:<chat id>`,
`slack:<user id>`), were still reachable as REST senders (issue 23): a REST client sending `"sender": "987654321"`
continued that Telegram caregiver's conversation. The tracker store now moves them into their channel's namespace
when it starts, once, so REST can no longer name them and the Telegram or Slack caregiver finds them again."""
from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from ops import diary_store, legacy_ids
from ops.stores import BacklineTrackerStore
from tests.diary_env import isolate


@pytest.fixture
def database(monkeypatch, tmp_path):
    isolate(monkeypatch, tmp_path)
    monkeypatch.setenv("BACKLINE_SQLITE_PATH", str(tmp_path / "c.db"))


def store_old_conversation(sender, channel, text="my wife has MS"):
    """A conversation as the channels stored it before namespacing: the bare id, the channel in its events (with
    Rasa's own SQL store: Backline's would already have done its start-up work)."""
    from rasa.core.tracker_store import SQLTrackerStore

    from ops import settings

    store = SQLTrackerStore(dialect="sqlite", db=str(settings.database().sqlite_path))
    tracker = DialogueStateTracker.from_events(sender, [ActionExecuted("action_listen"),
                                                        UserUttered(text, input_channel=channel, message_id=sender)])
    asyncio.run(store.save(tracker))
    store.engine.dispose()


def senders(engine):
    with engine.connect() as conn:
        return {row[0] for row in conn.execute(sa.text("SELECT DISTINCT sender_id FROM events"))}


def test_bare_slack_and_telegram_conversations_move_into_their_namespace(database):
    store_old_conversation("987654321", "telegram")
    store_old_conversation("U024BE7LH", "slack")
    store_old_conversation("12345", "rest")          # a REST conversation with a number for an id: left alone
    store_old_conversation("caregiver-42", "rest")
    diary_store.diary_store().add("987654321", {"when": "2026-11-20T21:00:00+00:00", "words": "bad night"})
    store = BacklineTrackerStore()  # a server starting after the upgrade
    try:
        assert senders(store.engine) == {"telegram:987654321", "slack:U024BE7LH", "12345", "caregiver-42"}
        assert asyncio.run(store.retrieve("987654321")) is None, "REST cannot reach it any more"
        moved = asyncio.run(store.retrieve("telegram:987654321"))
        assert [e.text for e in moved.events if isinstance(e, UserUttered)] == ["my wife has MS"]
        assert diary_store.diary_store().entries("987654321") == []
        assert len(diary_store.diary_store().entries("telegram:987654321")) == 1
    finally:
        store.engine.dispose()


def test_a_bare_conversation_never_merges_into_a_newer_namespaced_one(database):
    store_old_conversation("987654321", "telegram", "old words")
    store_old_conversation("telegram:987654321", "telegram", "new words")
    store = BacklineTrackerStore()
    try:
        assert "987654321" not in senders(store.engine)
        newer = asyncio.run(store.retrieve("telegram:987654321"))
        assert [e.text for e in newer.events if isinstance(e, UserUttered)] == ["new words"]
        kept_apart = [s for s in senders(store.engine) if s.startswith("telegram:987654321" + legacy_ids.APART)]
        assert len(kept_apart) == 1, "kept under an id no channel can name, until retention deletes it"
    finally:
        store.engine.dispose()


def test_the_move_runs_once(database):
    store_old_conversation("987654321", "telegram")
    BacklineTrackerStore().engine.dispose()
    store_old_conversation("555", "telegram")  # stored after the move: not a conversation from before namespacing
    store = BacklineTrackerStore()
    try:
        assert "555" in senders(store.engine)
    finally:
        store.engine.dispose()
