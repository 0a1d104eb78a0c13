"""Retention on SQLite and PostgreSQL (events with old timestamps), start-up errors that name the setting,
and the Redis lock store's atomicity, against the real services."""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time

import pytest
import sqlalchemy as sa

from harness.servers import ROOT, RasaServer, free_port, server_env

from .conftest import REDIS_URL, STORES, fresh_pg_database, model_dir, new_sender

DAY = 86400


def seed(url: str, now: float) -> dict:
    """Three conversations: old (60 days), recent (1 day), and old-but-active (60 days ago and today)."""
    from rasa.core.tracker_store import SQLTrackerStore

    engine = sa.create_engine(url)
    SQLTrackerStore.Base.metadata.create_all(engine)
    table = SQLTrackerStore.SQLEvent.__table__
    senders = {"old": new_sender("persist-ret-old"), "recent": new_sender("persist-ret-new"),
               "active": new_sender("persist-ret-act")}
    rows = []
    for name, ages in (("old", [61, 60]), ("recent", [1]), ("active", [60, 0])):
        for age in ages:
            rows.append(dict(sender_id=senders[name], type_name="user", timestamp=now - age * DAY,
                             intent_name="inform", action_name=None, data=json.dumps({"text": "back pain"})))
    with engine.begin() as conn:
        conn.execute(table.insert(), rows)
    engine.dispose()
    return senders


def remaining(url: str, senders: dict) -> set:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        found = {row[0] for row in conn.execute(sa.text("SELECT DISTINCT sender_id FROM events"))}
    engine.dispose()
    return {name for name, sender in senders.items() if sender in found}


def run_module(module: str, *args: str, env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in server_env().items() if not k.startswith("BACKLINE_")}
    return subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_retention_deletes_conversations_inactive_for_more_than_n_days(dialect, tmp_path):
    def check(url, env):
        senders = seed(url, time.time())
        dry = run_module("ops.retention", "--days", "30", "--dry-run", env=env)
        assert dry.returncode == 0 and "1 conversation(s)" in dry.stdout, dry.stdout + dry.stderr
        assert remaining(url, senders) == {"old", "recent", "active"}
        kept = run_module("ops.retention", "--days", "0", env=env)
        assert kept.returncode == 0 and remaining(url, senders) == {"old", "recent", "active"}
        # No --days: BACKLINE_RETENTION_DAYS is the default.
        done = run_module("ops.retention", env={**env, "BACKLINE_RETENTION_DAYS": "30"})
        assert done.returncode == 0, done.stderr
        assert "deleted 1 conversation(s) (2 events)" in done.stdout
        assert remaining(url, senders) == {"recent", "active"}, "an active conversation is never cut"

    if dialect == "sqlite":
        path = tmp_path / "r.db"
        check(f"sqlite:///{path}", {"BACKLINE_SQLITE_PATH": str(path)})
    else:
        with fresh_pg_database() as url:
            check(url, {"BACKLINE_DB_URL": url})


def test_make_purge_and_the_store_purge_at_start(tmp_path, monkeypatch):
    path = tmp_path / "m.db"
    url = f"sqlite:///{path}"
    senders = seed(url, time.time())
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("BACKLINE_")}, "BACKLINE_SQLITE_PATH": str(path)}
    # -o install: the target's usual `install` prerequisite is taken as done (the venv runs this test).
    make = subprocess.run(["make", "-s", "-o", "install", "purge", "DAYS=30"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert make.returncode == 0, make.stdout + make.stderr
    assert remaining(url, senders) == {"recent", "active"}

    # The tracker store itself applies BACKLINE_RETENTION_DAYS when it starts (and hourly).
    senders = seed(url, time.time())
    monkeypatch.setenv("BACKLINE_SQLITE_PATH", str(path))
    monkeypatch.setenv("BACKLINE_RETENTION_DAYS", "30")
    from ops.stores import BacklineTrackerStore

    BacklineTrackerStore().engine.dispose()
    assert remaining(url, senders) == {"recent", "active"}


# --- bad configuration: a clear error naming the setting ---------------------------------------------

@pytest.mark.parametrize("env, setting, words", [
    ({"BACKLINE_DB_URL": "postgresql://postgres@127.0.0.1:5432/backline_no_such_db"}, "BACKLINE_DB_URL",
     "does not exist"),
    ({"BACKLINE_DB_URL": "postgresql://no_such_user_x@127.0.0.1:5432/postgres"}, "BACKLINE_DB_URL",
     "user does not exist"),
    ({"BACKLINE_DB_HOST": "127.0.0.1", "BACKLINE_DB_NAME": "backline_no_such_db", "BACKLINE_DB_USER": "postgres"},
     "BACKLINE_DB_HOST", "does not exist"),
    ({"BACKLINE_REDIS_URL": "redis://127.0.0.1:1/0"}, "BACKLINE_REDIS_URL", "cannot reach Redis"),
])
def test_preflight_names_the_setting_against_real_services(env, setting, words, tmp_path):
    result = run_module("ops.preflight", env={"BACKLINE_SQLITE_PATH": str(tmp_path / "p.db"), **env})
    assert result.returncode == 1
    assert setting in result.stderr and words in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_rasa_itself_stops_with_the_setting_named(action_server, tmp_path):
    """Started without the preflight (a plain `rasa run`), the store class gives the clear error and Rasa exits:
    no retry loop, no silent in-memory fallback."""
    server = RasaServer(tmp_path, action_url=action_server.webhook, model=model_dir(), endpoints_extra=STORES,
                        env={"BACKLINE_DB_URL": f"postgresql://postgres@127.0.0.1:{free_port()}/x",
                             "BACKLINE_DB_CONNECT_TIMEOUT": "1"})
    with pytest.raises(RuntimeError) as failed:
        server.start(timeout=120)
    assert server.proc.wait(timeout=30) != 0
    log = server.log.read_text(errors="replace")
    assert "BACKLINE_DB_URL: cannot reach the database" in log
    assert "InMemoryTrackerStore" not in log
    assert "exited" in str(failed.value)


def test_run_sh_refuses_the_api_without_a_token():
    env = {**{k: v for k, v in server_env().items() if not k.startswith("BACKLINE_")},
           "BACKLINE_ENABLE_API": "1", "ACTIONS_PORT": str(free_port()), "RASA_PORT": str(free_port())}
    result = subprocess.run(["bash", "scripts/run.sh", "server"], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 1
    assert "BACKLINE_ENABLE_API" in result.stderr and "BACKLINE_API_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr


# --- the Redis lock store is atomic across servers ------------------------------------------------

def test_stock_redis_lock_store_hands_out_the_same_ticket_twice(redis_client):
    """Why Backline has its own: RedisLockStore.issue_ticket reads, changes and writes the lock in three
    steps. Two servers doing so at the same time (interleaved here by hand) both get ticket 0."""
    from rasa.core.lock_store import RedisLockStore

    one, two = RedisLockStore(host="127.0.0.1", db=0), RedisLockStore(host="127.0.0.1", db=0)
    conversation = new_sender("persist-stock")
    try:
        lock_one, lock_two = one.get_or_create_lock(conversation), two.get_or_create_lock(conversation)
        tickets = (lock_one.issue_ticket(60), lock_two.issue_ticket(60))
        one.save_lock(lock_one)
        two.save_lock(lock_two)
        assert tickets == (0, 0)
        assert not one.get_lock(conversation).is_locked(0), "both servers now hold the lock"
    finally:
        one.delete_lock(conversation)


def test_backline_lock_store_tickets_are_unique_across_servers(redis_client, monkeypatch):
    monkeypatch.setenv("BACKLINE_REDIS_URL", REDIS_URL)
    from ops.stores import BacklineLockStore

    stores = [BacklineLockStore(), BacklineLockStore()]
    conversation = new_sender("persist-tickets")
    tickets, start = [], threading.Barrier(4)

    def take(store):
        start.wait()
        for _ in range(100):
            tickets.append(store.issue_ticket(conversation, 60))

    threads = [threading.Thread(target=take, args=(stores[i % 2],)) for i in range(4)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert len(tickets) == 400 and len(set(tickets)) == 400, "no ticket issued twice"
    finally:
        stores[0].delete_lock(conversation)


def test_backline_lock_store_serialises_two_servers(redis_client, monkeypatch):
    monkeypatch.setenv("BACKLINE_REDIS_URL", REDIS_URL)
    from ops.stores import BacklineLockStore

    one, two = BacklineLockStore(), BacklineLockStore()
    conversation = new_sender("persist-mutex")
    order = []

    async def turn(store, name, hold):
        async with store.lock(conversation, wait_time_in_seconds=0.05):
            order.append(f"{name} in")
            await asyncio.sleep(hold)
            order.append(f"{name} out")

    async def both():
        first = asyncio.create_task(turn(one, "a", 0.5))
        await asyncio.sleep(0.1)
        await asyncio.gather(first, turn(two, "b", 0.0))

    asyncio.run(both())
    assert order == ["a in", "a out", "b in", "b out"]
    assert one.get_lock(conversation) is None, "released once nobody waits"
