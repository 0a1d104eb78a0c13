""""Delete my conversation" tells the truth in every failure combination, and leaves nothing behind when it
says it is done; retention is bounded like every store call and purges diaries whose conversation is gone.

The tracker store (ops/stores.py) runs in this process on SQLite and on the local PostgreSQL (a throwaway
database, BACKLINE_TEST_PG). Faults are put in the database itself
(a trigger that refuses a DELETE, or one that holds it past BACKLINE_STORE_TIMEOUT) or in the file system,
so they hit whatever code path the store takes. After each deletion, what the caregiver is told
(ops.store_guard.take_failure, worded by channels/__init__.py) is checked against what is still stored.
"""
from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from harness.stores import fresh_pg_database
from ops import diary_store, retention, stores
from ops.store_guard import DELETE_FAILED, DELETE_PARTIAL, DELETE_UNCERTAIN, take_failure
from ops.stores import BacklineTrackerStore
from tests.diary_env import isolate

STORE_TIMEOUT = 1.0
HOLD_SECONDS = 3.0  # a hung DELETE: past the store timeout, then it completes


@pytest.fixture(autouse=True)
def private_env(monkeypatch, tmp_path):
    isolate(monkeypatch, tmp_path)
    monkeypatch.setenv("BACKLINE_SQLITE_PATH", str(tmp_path / "honesty.db"))
    monkeypatch.setenv("BACKLINE_STORE_TIMEOUT", str(STORE_TIMEOUT))
    monkeypatch.setenv("BACKLINE_RETENTION_DAYS", "0")


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, monkeypatch):
    if request.param == "postgresql":
        with fresh_pg_database("backline_honesty") as url:
            monkeypatch.setenv("BACKLINE_DB_URL", url)
            yield from _store()
    else:
        yield from _store()


def _store():
    made = BacklineTrackerStore()
    if made.database.kind == "sqlite":
        sa.event.listen(made.engine, "connect", lambda conn, _: conn.create_function("hold", 0, _hold))
        made.engine.dispose()  # the listener applies to new connections
    diary_store.ensure_table(made.engine)
    yield made
    made.engine.dispose()


def _hold() -> int:
    time.sleep(HOLD_SECONDS)
    return 0


def entry(when: datetime) -> dict:
    return {"when": when.isoformat(), "logged": when.isoformat(), "severity": 5, "words": "sore back"}


def started(store, sender: str) -> None:
    """A stored conversation with a diary entry and a rendered file."""
    tracker = DialogueStateTracker.from_events(sender, [ActionExecuted("action_listen"),
                                                        UserUttered("my wife has MS", message_id="1"),
                                                        BotUttered("Which part of her back?")])
    asyncio.run(store.save(tracker))
    diary_store.add_row(store.engine, sender, entry(datetime.now(timezone.utc)))
    (diary_store.rendered_dir(sender, create=True) / "chart.png").write_bytes(b"png")


def delete(store, sender: str):
    tracker = asyncio.run(store.retrieve(sender))
    for event in (UserUttered("/affirm", message_id="2"), ActionExecuted("action_delete_conversation"),
                  BotUttered("Done: this conversation is deleted.")):
        tracker.update(event)
    asyncio.run(store.save(tracker))
    return take_failure(sender)


@dataclass
class Left:
    events: int
    diary: int
    files: bool


def left(store, sender: str) -> Left:
    with store.engine.connect() as conn:
        events = conn.execute(sa.text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": sender}).scalar()
        diary = conn.execute(sa.text("SELECT count(*) FROM backline_diary WHERE conversation = :s"),
                             {"s": sender}).scalar()
    return Left(events, diary, diary_store.rendered_dir(sender).exists())


def assert_told_the_truth(told, before: Left, after: Left) -> None:
    if told is None:  # "Done": nothing of it is left
        assert after == Left(0, 0, False), f"'Done' but {after} is left"
    elif told == DELETE_FAILED:  # "could NOT be deleted ... it is still stored"
        assert after.events == before.events, f"said still stored, but {before} became {after}"
    elif told == DELETE_PARTIAL:  # "conversation and diary deleted, a file not yet"
        assert (after.events, after.diary) == (0, 0) and after.files
    else:
        assert told == DELETE_UNCERTAIN  # "could not confirm; some or all may still be stored": true either way


def refuse_deletes_on(store, table: str) -> None:
    if store.database.kind == "sqlite":
        trigger = (f"CREATE TRIGGER refuse_{table} BEFORE DELETE ON {table} "
                   f"BEGIN SELECT RAISE(ABORT, 'disk failure'); END")
    else:
        trigger = f"CREATE TRIGGER refuse_{table} BEFORE DELETE ON {table} EXECUTE FUNCTION refuse()"
        with store.engine.begin() as conn:
            conn.execute(sa.text("CREATE OR REPLACE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
                                 "$$ BEGIN RAISE EXCEPTION 'disk failure'; END $$"))
    with store.engine.begin() as conn:
        conn.execute(sa.text(trigger))


def hold_deletes_on(store, table: str) -> None:
    if store.database.kind == "sqlite":
        trigger = f"CREATE TRIGGER hold_{table} BEFORE DELETE ON {table} BEGIN SELECT hold(); END"
    else:
        trigger = f"CREATE TRIGGER hold_{table} BEFORE DELETE ON {table} EXECUTE FUNCTION hold()"
        with store.engine.begin() as conn:
            conn.execute(sa.text(f"CREATE OR REPLACE FUNCTION hold() RETURNS trigger LANGUAGE plpgsql AS "
                                 f"$$ BEGIN PERFORM pg_sleep({HOLD_SECONDS}); RETURN OLD; END $$"))
    with store.engine.begin() as conn:
        conn.execute(sa.text(trigger))


def settle(store, sender: str, held: bool) -> Left:
    """What is left once a held DELETE has finished in its thread (then two equal reads in a row, bounded)."""
    if held:
        time.sleep(HOLD_SECONDS + 1)
    seen, deadline = left(store, sender), time.monotonic() + 10
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = left(store, sender)
        if now == seen:
            break
        seen = now
    return seen


def test_everything_deleted_is_done_and_nothing_is_left_in_memory(store):
    forgotten = []
    stores.on_delete(forgotten.append)
    try:
        started(store, "rest-ok")
        before = left(store, "rest-ok")
        assert before == Left(3, 1, True)
        told = delete(store, "rest-ok")
        assert told is None
        assert_told_the_truth(told, before, left(store, "rest-ok"))
        assert "rest-ok" in forgotten, "the process's in-memory copies are dropped too"
        assert store.cache is None or "rest-ok" not in store.cache
    finally:
        stores._forgetters.remove(forgotten.append)


@pytest.mark.parametrize("table", ["backline_diary", "events"])
@pytest.mark.parametrize("fault", ["refused", "held past the timeout"])
def test_a_failed_delete_says_so_truthfully(store, table, fault):
    """One of the DELETEs fails or hangs (the events', or the diary's after the events went): the reply
    matches what is stored once everything has finished."""
    started(store, "rest-fault")
    before = left(store, "rest-fault")
    (refuse_deletes_on if fault == "refused" else hold_deletes_on)(store, table)
    told = delete(store, "rest-fault")
    assert told is not None, "not 'Done'"
    assert_told_the_truth(told, before, settle(store, "rest-fault", held=fault != "refused"))


def test_a_file_that_cannot_be_removed_is_not_done(store, monkeypatch):
    started(store, "rest-files")
    before = left(store, "rest-files")
    monkeypatch.setattr(diary_store.shutil, "rmtree", lambda *args, **kwargs: None)  # the folder stays
    told = delete(store, "rest-files")
    assert told is not None, "'Done' while a file drawn from the diary is still there"
    assert_told_the_truth(told, before, left(store, "rest-files"))


def test_a_deleted_conversation_leaves_the_policies_replays():
    from components import action_safety_net, incremental_states  # loading the model registers the forgetting

    assert action_safety_net.layer and incremental_states.forget in stores._forgetters
    incremental_states._REPLAYS[("rest-gone", False, False, "null")] = incremental_states.Replay(domain=None)
    incremental_states._REPLAYS[("rest-kept", False, False, "null")] = incremental_states.Replay(domain=None)
    try:
        stores.forget_in_memory("rest-gone")
        assert [key[0] for key in incremental_states._REPLAYS if key[0].startswith("rest-")] == ["rest-kept"]
    finally:
        incremental_states.forget("rest-kept")


def test_idle_replays_leave_memory():
    from components import incremental_states

    key = ("rest-idle", False, False, "null")
    now = time.monotonic()
    incremental_states._REPLAYS[key] = incremental_states.Replay(domain=None,
                                                                 used=now - incremental_states.MAX_IDLE_SECONDS - 1)
    incremental_states._REPLAYS.move_to_end(key, last=False)  # the least recently used
    incremental_states.forget_idle(now - incremental_states.MAX_IDLE_SECONDS)
    assert not any(key[0] == "rest-idle" for key in incremental_states._REPLAYS)


# --- retention ---------------------------------------------------------------------------------------

def test_retention_purges_orphaned_diaries_after_a_grace_period(store):
    now = datetime.now(timezone.utc)
    started(store, "rest-alive")
    diary_store.add_row(store.engine, "rest-orphan", entry(now - timedelta(hours=3)))
    diary_store.add_row(store.engine, "rest-just-written", entry(now))
    (diary_store.rendered_dir("rest-orphan", create=True) / "report.pdf").write_bytes(b"pdf")
    retention.purge_orphans(store.engine)
    assert left(store, "rest-orphan") == Left(0, 0, False)
    assert left(store, "rest-just-written").diary == 1, "a diary written a moment ago is not an orphan yet"
    assert left(store, "rest-alive").diary == 1


def test_the_purge_from_a_turn_runs_off_the_event_loop_and_bounded(store, monkeypatch):
    release = threading.Event()
    ran = {}

    def slow_purge(engine, days, now=None, limit=None):
        ran["thread"] = threading.current_thread().name
        release.wait(20)
        ran["finished"] = True
        return 0, 0

    monkeypatch.setattr(retention, "purge", slow_purge)
    store.retention_days = 30
    store._last_purge = 0.0  # due now
    try:
        tracker = DialogueStateTracker.from_events("rest-turn", [ActionExecuted("action_listen"),
                                                                 UserUttered("hi", message_id="1")])
        asyncio.run(store.save(tracker))
        assert ran.get("thread") and ran["thread"] != threading.main_thread().name, "purged on the event loop"
        assert "finished" not in ran, "the turn waited for the purge beyond the store timeout"
    finally:
        release.set()
