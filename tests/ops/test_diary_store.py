"""The pain diary's table (ops/diary_store.py) on SQLite and on the local PostgreSQL: what is stored, read
back and deleted, with the tracker store's delete and retention; bounded when the database is dead; no
diary text in errors or logs. PostgreSQL tests get a throwaway database, dropped afterwards."""
from __future__ import annotations

import asyncio
import logging
import stat
import time

import pytest
import sqlalchemy as sa
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from harness.servers import free_port
from harness.stores import fresh_pg_database
from ops import diary_store, retention, settings
from ops.store_guard import StoreUnavailable
from ops.stores import BacklineTrackerStore
from tests.diary_env import isolate

SECRET_WORDS = "bad night, spasms, about 7 (diary-canary-5d1f)"


def entry(when: str, severity=5, **extra):
    return {"when": when, "logged": when, "pain_type": "spasticity", "location": "lower back", "severity": severity,
            "triggers": ["cold"], "helped": ["stretching"], "triage": "self_care", "red_flags": [],
            "warning_signs": [], "words": SECRET_WORDS, **extra}


@pytest.fixture(autouse=True)
def private_env(monkeypatch, tmp_path):
    isolate(monkeypatch, tmp_path)


@pytest.fixture
def pg_url():
    with fresh_pg_database("backline_diary_test") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path, monkeypatch):
    if request.param == "sqlite":
        monkeypatch.setenv("BACKLINE_SQLITE_PATH", str(tmp_path / "diary.db"))
    else:
        monkeypatch.setenv("BACKLINE_DB_URL", request.getfixturevalue("pg_url"))
    return settings.database()


@pytest.fixture
def store(database):
    made = diary_store.DiaryStore(database)
    yield made
    made.close()


def test_entries_come_back_oldest_first_with_ids_and_only_for_their_conversation(store):
    later = store.add("rest-a", entry("2026-11-20T21:00:00+00:00", 7))
    earlier = store.add("rest-a", entry("2026-11-18T08:00:00+00:00", 3, words="x" * 900))
    store.add("rest-b", entry("2026-11-19T08:00:00+00:00", 9))
    got = store.entries("rest-a")
    assert [e["id"] for e in got] == [earlier, later]
    assert [e["severity"] for e in got] == [3, 7]
    assert got[0]["words"] == "x" * 500  # the entry's words are kept to 500 characters
    assert got[1]["triggers"] == ["cold"] and got[1]["when"] == "2026-11-20T21:00:00+00:00"
    assert [e["severity"] for e in store.entries("rest-b")] == [9]
    assert store.entries("nobody") == []


def test_the_table_is_its_own_not_the_tracker_events(store):
    store.add("rest-a", entry("2026-11-20T21:00:00+00:00"))
    tables = set(sa.inspect(store.engine).get_table_names())
    assert diary_store.TABLE in tables and "events" not in tables


def test_deleting_a_conversation_deletes_its_diary_and_files_only(store):
    store.add("rest-a", entry("2026-11-20T21:00:00+00:00"))
    store.add("rest-a", entry("2026-11-21T21:00:00+00:00"))
    store.add("rest-b", entry("2026-11-21T21:00:00+00:00"))
    folder = diary_store.rendered_dir("rest-a", create=True)
    (folder / "chart.png").write_bytes(b"png")
    other = diary_store.rendered_dir("rest-b", create=True)
    assert folder != other and "rest-a" not in str(folder)  # the folder does not name the conversation
    assert store.delete_conversation("rest-a") == 2
    assert store.entries("rest-a") == [] and len(store.entries("rest-b")) == 1
    assert not folder.exists() and other.exists()
    assert store.purge(["rest-b", "never-seen"]) == 1 and store.entries("rest-b") == []


def tracker(sender, *events):
    return DialogueStateTracker.from_events(sender, [ActionExecuted("action_listen"), *events])


def test_the_tracker_stores_delete_takes_the_diary_with_it(database, store):
    tracker_store = BacklineTrackerStore()
    said = UserUttered("my wife has MS", message_id="1")
    asyncio.run(tracker_store.save(tracker("rest-a", said)))
    asyncio.run(tracker_store.save(tracker("rest-b", said)))
    store.add("rest-a", entry("2026-11-20T21:00:00+00:00"))
    store.add("rest-b", entry("2026-11-20T21:00:00+00:00"))
    asyncio.run(tracker_store.save(tracker("rest-a", said, ActionExecuted("action_delete_conversation"),
                                           BotUttered("Done"))))
    assert store.entries("rest-a") == []
    assert len(store.entries("rest-b")) == 1
    tracker_store.engine.dispose()


def test_retention_purges_the_diaries_of_purged_conversations_only(database, store):
    tracker_store = BacklineTrackerStore()
    asyncio.run(tracker_store.save(tracker("old", UserUttered("hi", message_id="1"))))
    asyncio.run(tracker_store.save(tracker("new", UserUttered("hi", message_id="2"))))
    store.add("old", entry("2026-10-01T21:00:00+00:00"))
    store.add("new", entry("2026-10-01T21:00:00+00:00"))
    events = sa.Table("events", sa.MetaData(), autoload_with=tracker_store.engine)
    with tracker_store.engine.begin() as conn:  # "old" went quiet 40 days ago
        conn.execute(events.update().where(events.c.sender_id == "old").values(timestamp=time.time() - 40 * 86400))
    assert retention.purge(tracker_store.engine, 30)[0] == 1
    assert store.entries("old") == []
    assert len(store.entries("new")) == 1
    tracker_store.engine.dispose()


def test_the_sqlite_file_stays_private(tmp_path, monkeypatch):
    path = tmp_path / "private.db"
    monkeypatch.setenv("BACKLINE_SQLITE_PATH", str(path))
    made = diary_store.DiaryStore()
    made.add("rest-a", entry("2026-11-20T21:00:00+00:00"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    made.close()


def test_a_dead_database_is_a_store_failure_without_diary_text(monkeypatch, caplog):
    monkeypatch.setenv("BACKLINE_DB_URL", f"postgresql://backline@127.0.0.1:{free_port()}/backline")
    monkeypatch.setenv("BACKLINE_STORE_TIMEOUT", "2")
    made = diary_store.DiaryStore()
    with caplog.at_level(logging.DEBUG), pytest.raises(StoreUnavailable) as failed:
        made.add("rest-a", entry("2026-11-20T21:00:00+00:00"))
    assert "canary" not in str(failed.value) and "canary" not in caplog.text
    made.close()


def test_no_diary_text_in_the_logs(store, caplog):
    with caplog.at_level(logging.DEBUG):
        store.add("rest-a", entry("2026-11-20T21:00:00+00:00"))
        store.entries("rest-a")
        store.delete_conversation("rest-a")
    assert "canary" not in caplog.text


def test_async_callers_keep_the_event_loop_free(store):
    async def both():
        await store.run(lambda: store.add("rest-a", entry("2026-11-20T21:00:00+00:00")))
        return await store.run(lambda: store.entries("rest-a"))

    assert [e["severity"] for e in asyncio.run(both())] == [5]


def test_one_store_per_database_and_process(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKLINE_SQLITE_PATH", str(tmp_path / "one.db"))
    assert diary_store.diary_store() is diary_store.diary_store()
    diary_store.diary_store().close()
