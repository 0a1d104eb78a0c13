"""The tracker cache's freshness check (ops/tracker_cache.py), new-events-only saves and SQLite WAL, with two
tracker stores on one SQLite file standing in for two Rasa servers sharing a database. Whatever the cache
does, a retrieve must equal Rasa's own full read of the stored rows."""
from __future__ import annotations

import asyncio
import os
import stat
import time

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from harness.servers import ROOT
from ops import retention
from ops.stores import BacklineTrackerStore

SENDER = "cache-test"
DOMAIN = Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture(autouse=True)
def no_backline_env(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith("BACKLINE_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("BACKLINE_SQLITE_PATH", str(tmp_path / "shared.db"))


def server(monkeypatch, off: str = "") -> BacklineTrackerStore:
    """A tracker store as one Rasa server has it, counting its full reads."""
    monkeypatch.setenv("BACKLINE_SPEEDUPS_OFF", off)
    store = BacklineTrackerStore(domain=DOMAIN)
    store.full_reads = 0
    load = store._load

    def counted(sender_id):
        store.full_reads += 1
        return load(sender_id)

    store._load = counted
    return store


def retrieve(store, sender=SENDER):
    return asyncio.run(store.retrieve(sender))


def save(store, tracker):
    asyncio.run(store.save(tracker))


def rasa_read(store, sender=SENDER):
    """Rasa's own SQLTrackerStore.retrieve on the same database: what every retrieve must equal."""
    return asyncio.run(SQLTrackerStore.retrieve(store, sender))


def same(tracker, expected):
    assert [e.as_dict() for e in tracker.events] == [e.as_dict() for e in expected.events]
    assert tracker.current_slot_values() == expected.current_slot_values()
    assert tracker.active_loop == expected.active_loop and tracker.latest_message == expected.latest_message


def turn(store, text, slot_value=None, sender=SENDER, at=None):
    """One caregiver message and its answer, saved the way Rasa's processor does: retrieve, update, save."""
    tracker = retrieve(store, sender) or store.init_tracker(sender)
    events = [UserUttered(text, intent={"name": "inform", "confidence": 1.0}), ActionExecuted("utter_ask"),
              BotUttered("a question"), ActionExecuted("action_listen")]
    if slot_value:
        events.insert(1, SlotSet("condition", slot_value))
    for event in events:
        if at is not None:
            event.timestamp = at
        tracker.update(event)
    save(store, tracker)
    return tracker


def test_a_cached_conversation_equals_rasa_read_and_is_read_in_full_once(monkeypatch):
    store = server(monkeypatch)
    for i in range(5):
        turn(store, f"message {i}", slot_value="ms" if i == 2 else None)
    tracker = retrieve(store)
    same(tracker, rasa_read(store))
    assert tracker.get_slot("condition") == "ms"
    assert store.full_reads == 0, "a new conversation is cached as saved: nothing is read in full"


def test_each_retrieve_is_a_copy_the_turn_may_change(monkeypatch):
    store = server(monkeypatch)
    turn(store, "first", slot_value="als")
    turn(store, "second")
    changed = retrieve(store)
    changed.update(UserUttered("never saved"))
    changed.update(SlotSet("condition", "ms"))
    again = retrieve(store)
    same(again, rasa_read(store))
    assert again.get_slot("condition") == "als" and len(again.events) == len(changed.events) - 2


def test_rows_another_server_appended_are_read_alone(monkeypatch):
    a, b = server(monkeypatch), server(monkeypatch)
    turn(a, "on a")
    turn(b, "on b")
    turn(a, "on a again", slot_value="ms")
    reads = b.full_reads
    tracker = turn(b, "on b again")
    assert b.full_reads == reads, "b applied a's new rows to its cached tracker"
    same(retrieve(b), rasa_read(b))
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == \
        ["on a", "on b", "on a again", "on b again"]
    assert tracker.get_slot("condition") == "ms"


def test_a_conversation_deleted_elsewhere_is_gone_here_too(monkeypatch):
    a, b = server(monkeypatch), server(monkeypatch)
    turn(a, "my wife has MS", slot_value="ms")
    assert retrieve(b) is not None
    gone = retrieve(a)
    gone.update(ActionExecuted("action_delete_conversation"))
    save(a, gone)
    assert SENDER not in a.cache
    assert retrieve(b) is None and SENDER not in b.cache
    turn(a, "a new start")  # the same id, a new conversation: b must not mix in the deleted one
    tracker = retrieve(b)
    same(tracker, rasa_read(b))
    assert tracker.get_slot("condition") is None


def test_a_conversation_purged_by_retention_is_gone_from_every_cache(monkeypatch):
    a, b = server(monkeypatch), server(monkeypatch)
    long_ago = time.time() - 40 * retention.DAY
    turn(a, "an old message", at=long_ago)
    assert retrieve(a) is not None and retrieve(b) is not None
    assert SENDER in a.cache and SENDER in b.cache
    a.retention_days, a._last_purge = 30, 0.0
    asyncio.run(a._purge_if_due())  # the hourly purge of server a (in its worker thread)
    assert SENDER not in a.cache
    assert retrieve(b) is None and retrieve(a) is None

    turn(a, "another old message", at=long_ago)
    assert retrieve(b) is not None
    engine = sa.create_engine(a.database.url)  # `make purge`: another process
    assert retention.purge(engine, 30) == (1, 4)
    engine.dispose()
    assert retrieve(b) is None


def test_rows_removed_as_well_as_added_elsewhere_mean_a_full_read(monkeypatch):
    a, b = server(monkeypatch), server(monkeypatch)
    turn(a, "first", slot_value="ms")
    turn(b, "second")
    with a.engine.begin() as conn:  # an operator removing a row by hand, then a's next turn
        first = conn.execute(sa.select(sa.func.min(a.table.c.id)).where(a.table.c.sender_id == SENDER)).scalar()
        conn.execute(a.table.delete().where(a.table.c.id == first))
    turn(a, "third")
    reads = b.full_reads
    same(retrieve(b), rasa_read(b))
    assert b.full_reads == reads + 1


def test_a_new_session_elsewhere_is_read_from_its_start(monkeypatch):
    a, b = server(monkeypatch), server(monkeypatch)
    turn(a, "yesterday", slot_value="ms")
    assert retrieve(b) is not None
    tracker = retrieve(a)
    for event in (ActionExecuted("action_session_start"), SessionStarted(), SlotSet("condition", "ms"),
                  ActionExecuted("action_listen")):
        tracker.update(event)
    save(a, tracker)
    here = retrieve(a)
    same(here, rasa_read(a))  # the server that started the session keeps it as a full read builds it
    assert not [e for e in here.events if isinstance(e, UserUttered)] and a.full_reads == 0
    reads = b.full_reads
    fresh = retrieve(b)
    assert b.full_reads == reads + 1
    same(fresh, rasa_read(b))
    assert not [e for e in fresh.events if isinstance(e, UserUttered)], "only the new session"
    assert fresh.get_slot("condition") == "ms"


def test_a_new_conversation_is_kept_from_its_first_save_as_a_full_read_builds_it(monkeypatch):
    store = server(monkeypatch)
    tracker = store.init_tracker(SENDER)
    for event in (ActionExecuted("action_session_start"), SessionStarted(), SlotSet("condition", "als"),
                  ActionExecuted("action_listen"), UserUttered("his back hurts"), ActionExecuted("utter_ask"),
                  BotUttered("where?"), ActionExecuted("action_listen")):
        tracker.update(event)
    save(store, tracker)
    cached = retrieve(store)
    same(cached, rasa_read(store))
    assert store.full_reads == 0 and cached.get_slot("condition") == "als"
    assert len(cached.events) == len(tracker.events) - 1  # a full read starts at the session's start
    turn(store, "lower back")
    same(retrieve(store), rasa_read(store))
    assert store.full_reads == 0


def test_a_save_over_another_servers_turn_is_not_trusted(monkeypatch):
    """Without a lock two servers may answer one conversation at once: neither cache may then claim to
    hold the stored rows."""
    a, b = server(monkeypatch), server(monkeypatch)
    turn(a, "hello")
    on_a, on_b = retrieve(a), retrieve(b)
    for tracker, store in ((on_a, a), (on_b, b)):
        tracker.update(UserUttered(f"from {store is a}"))
        save(store, tracker)
    assert SENDER in a.cache and SENDER not in b.cache
    same(retrieve(b), rasa_read(b))
    same(retrieve(a), rasa_read(a))


def stored_rows(store, sender):
    table = store.table
    query = sa.select(table.c.type_name, table.c.intent_name, table.c.action_name, table.c.data) \
        .where(table.c.sender_id == sender).order_by(table.c.id)
    with store.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(query)]


@pytest.mark.parametrize("cache", ["on", "off"])
def test_new_events_only_stores_what_rasa_stores(monkeypatch, cache):
    levers = server(monkeypatch, off="" if cache == "on" else "tracker_cache")
    rasa = server(monkeypatch, off="all")
    for store, sender in ((levers, "levers"), (rasa, "rasa")):
        for i in range(3):
            turn(store, f"message {i}", sender=sender, at=1000.0 + i, slot_value="als" if i else None)
    assert stored_rows(levers, "levers") == stored_rows(rasa, "rasa")
    assert len(stored_rows(rasa, "rasa")) == 14


def test_sqlite_runs_in_wal_mode_and_its_files_stay_private(monkeypatch, tmp_path):
    store = server(monkeypatch)
    turn(store, "hello")
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(sa.text("PRAGMA synchronous")).scalar() == 1  # NORMAL
        for suffix in ("", "-wal", "-shm"):
            path = tmp_path / f"shared.db{suffix}"
            assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path.name


def test_without_the_wal_lever_sqlite_keeps_its_rollback_journal(monkeypatch, tmp_path):
    store = server(monkeypatch, off="sqlite_wal")
    turn(store, "hello")
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("PRAGMA journal_mode")).scalar() == "delete"


def test_an_idle_conversation_leaves_the_servers_memory(monkeypatch):
    store = server(monkeypatch)
    turn(store, "hello")
    turn(store, "again")
    assert store.full_reads == 0 and SENDER in store.cache
    store.cache.max_idle = 0.0
    turn(store, "much later")
    assert store.full_reads == 1, "read again from the database"


def test_a_slots_copy_is_copy_copys_for_every_slot_type_rasa_has():
    """ops.tracker_cache.copy_slot takes a slot's state from its __dict__ alone: true of every slot type."""
    import copy

    from rasa.shared.core import slots

    from ops.tracker_cache import copy_slot

    kinds = [slots.TextSlot("t", [], initial_value="a"), slots.BooleanSlot("b", []), slots.FloatSlot("f", []),
             slots.ListSlot("l", []), slots.AnySlot("a", []), slots.CategoricalSlot("c", [], values=["x", "y"])]
    kinds += list(Domain.load(str(ROOT / "domain.yml")).slots)
    assert {type(slot) for slot in kinds} >= {cls for cls in vars(slots).values()
                                               if isinstance(cls, type) and issubclass(cls, slots.Slot)
                                               and not getattr(cls, "__abstractmethods__", None)}
    for slot in kinds:
        slot.value = {"case": [1]} if isinstance(slot, slots.AnySlot) else slot.value
        ours, theirs = copy_slot(slot), copy.copy(slot)
        assert type(ours) is type(theirs) and vars(ours) == vars(theirs) and ours is not slot
        assert ours.value is slot.value  # shallow, as copy.copy: values are shared, never changed in place
        before, ours.value = slot.value, "changed"
        assert slot.value is before


@pytest.mark.parametrize("off", ["", "all"])
def test_a_tracker_the_store_did_not_hand_out_is_saved_as_rasa_saves_it(monkeypatch, off):
    """A new conversation's first save appends every event; a tracker built elsewhere for a conversation that
    has rows (the HTTP API replacing events, say) is counted against them, as Rasa's own save does."""
    store, rasa = server(monkeypatch, off=off), server(monkeypatch, off="all")
    for each, sender in ((store, "ours"), (rasa, "rasa")):
        fresh = each.init_tracker(sender)
        fresh.update(ActionExecuted("action_listen"))
        save(each, fresh)
        turn(each, "first", sender=sender)
        rebuilt = DialogueStateTracker.from_dict(sender, [e.as_dict() for e in retrieve(each, sender).events],
                                                 DOMAIN.slots)
        rebuilt.update(UserUttered("again", intent={"name": "inform", "confidence": 1.0}))
        save(each, rebuilt)
    kinds = [row[:3] for row in stored_rows(rasa, "rasa")]
    assert [row[:3] for row in stored_rows(store, "ours")] == kinds
    assert [kind for kind, _, _ in kinds] == ["action", "user", "action", "bot", "action", "user"]
