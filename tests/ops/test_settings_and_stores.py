"""Store selection, API settings, start-up checks and the deletion marker, without any server.
(The same against the real PostgreSQL/Redis and Rasa servers: tests/e2e/persistence/.)"""
from __future__ import annotations

import asyncio
import socket
import struct
import subprocess
import sys
import threading

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from harness.servers import ROOT, free_port, server_env
from ops import settings
from ops.stores import BacklineLockStore, BacklineStoreError, BacklineTrackerStore, deletion_requested


@pytest.fixture(autouse=True)
def no_backline_env(monkeypatch):
    import os

    for name in list(os.environ):
        if name.startswith("BACKLINE_"):
            monkeypatch.delenv(name)


def test_default_is_a_sqlite_file_under_the_project():
    db = settings.database({})
    assert db.kind == "sqlite" and db.sqlite_path == ROOT / "var" / "backline.db"
    assert settings.database({"BACKLINE_SQLITE_PATH": "elsewhere/x.db"}).sqlite_path == ROOT / "elsewhere" / "x.db"


def test_postgresql_from_a_url_or_from_parts_with_the_password_masked():
    db = settings.database({"BACKLINE_DB_URL": "postgres://u:secret@db:5432/backline"})
    assert db.kind == "postgresql" and db.url.startswith("postgresql://")
    assert "secret" not in db.safe_url
    parts = settings.database({"BACKLINE_DB_HOST": "db", "BACKLINE_DB_USER": "u", "BACKLINE_DB_PASSWORD": "p@ss word",
                               "BACKLINE_DB_NAME": "n", "BACKLINE_DB_PORT": "6543"})
    assert parts.kind == "postgresql" and "db:6543/n" in parts.url and "p@ss word" not in parts.safe_url
    from sqlalchemy.engine.url import make_url

    assert make_url(parts.url).password == "p@ss word"


@pytest.mark.parametrize("env, setting", [
    ({"BACKLINE_DB_URL": "nonsense"}, "BACKLINE_DB_URL"),
    ({"BACKLINE_DB_HOST": "db", "BACKLINE_DB_PORT": "five"}, "BACKLINE_DB_PORT"),
    ({"BACKLINE_REDIS_URL": "http://x"}, "BACKLINE_REDIS_URL"),
    ({"BACKLINE_RETENTION_DAYS": "a month"}, "BACKLINE_RETENTION_DAYS"),
    ({"BACKLINE_RETENTION_DAYS": "-1"}, "BACKLINE_RETENTION_DAYS"),
])
def test_malformed_settings_are_named(env, setting):
    with pytest.raises(settings.ConfigError) as error:
        settings.database(env)
        settings.redis_url(env)
        settings.retention_days(env)
    assert error.value.setting == setting


def test_the_api_is_on_only_with_a_token_or_secret():
    assert not settings.api({}).enabled
    assert settings.api({"BACKLINE_API_TOKEN": "t" * 32}).enabled
    assert settings.api({"BACKLINE_JWT_SECRET": "s" * 32}).enabled
    assert not settings.api({"BACKLINE_API_TOKEN": "t" * 32, "BACKLINE_ENABLE_API": "0"}).enabled
    with pytest.raises(settings.ConfigError) as error:
        settings.api({"BACKLINE_ENABLE_API": "1"})
    assert error.value.setting == "BACKLINE_ENABLE_API" and "BACKLINE_API_TOKEN" in str(error.value)


def run_preflight(env):
    clean = {k: v for k, v in server_env().items() if not k.startswith("BACKLINE_")}
    return subprocess.run([sys.executable, "-m", "ops.preflight"], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=60)


def test_preflight_passes_with_nothing_set(tmp_path):
    result = run_preflight({"BACKLINE_SQLITE_PATH": str(tmp_path / "ok.db")})
    assert result.returncode == 0, result.stderr
    assert "sqlite" in result.stdout and "HTTP API off" in result.stdout


def test_preflight_api_without_token_and_unreachable_database(tmp_path):
    result = run_preflight({"BACKLINE_ENABLE_API": "1", "BACKLINE_DB_CONNECT_TIMEOUT": "1",
                            "BACKLINE_DB_URL": f"postgresql://backline:pw@127.0.0.1:{free_port()}/backline"})
    assert result.returncode == 1
    assert "ERROR: BACKLINE_ENABLE_API" in result.stderr
    assert "ERROR: BACKLINE_DB_URL: cannot reach the database" in result.stderr
    assert "pw@" not in result.stderr and "Traceback" not in result.stderr


def test_preflight_unwritable_sqlite_folder(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run_preflight({"BACKLINE_SQLITE_PATH": str(blocker / "sub" / "x.db")})
    assert result.returncode == 1 and "BACKLINE_SQLITE_PATH" in result.stderr


class FakePostgres(threading.Thread):
    """Speaks just enough of the PostgreSQL protocol to refuse a password (SQLSTATE 28P01), as a server
    with password authentication does (the local test server trusts everyone)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.port = self.sock.getsockname()[1]

    def run(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                while True:
                    head = conn.recv(8)
                    if len(head) < 8:
                        break
                    length, code = struct.unpack("!ii", head)
                    if code in (80877103, 80877104):  # SSLRequest / GSSENCRequest: not here
                        conn.sendall(b"N")
                        continue
                    conn.recv(length - 8)
                    fields = (b"SFATAL\0VFATAL\0C28P01\0"
                              b"Mpassword authentication failed for user \"backline\"\0\0")
                    conn.sendall(b"E" + struct.pack("!i", len(fields) + 4) + fields)
                    break


def test_preflight_wrong_password_names_the_setting():
    server = FakePostgres()
    server.start()
    try:
        url = run_preflight({"BACKLINE_DB_URL": f"postgresql://backline:wrong@127.0.0.1:{server.port}/backline"})
        parts = run_preflight({"BACKLINE_DB_HOST": "127.0.0.1", "BACKLINE_DB_PORT": str(server.port),
                               "BACKLINE_DB_USER": "backline", "BACKLINE_DB_PASSWORD": "wrong"})
    finally:
        server.sock.close()
    assert url.returncode == 1 and "BACKLINE_DB_URL: the database rejected the password" in url.stderr
    assert parts.returncode == 1 and "BACKLINE_DB_PASSWORD: the database rejected the password" in parts.stderr
    assert "wrong" not in url.stderr + parts.stderr and "Traceback" not in url.stderr


def test_the_store_class_raises_a_clear_error_not_importerror(monkeypatch):
    # Rasa replaces a custom store that raises ImportError/AttributeError by an in-memory one, silently.
    monkeypatch.setenv("BACKLINE_DB_URL", f"postgresql://x@127.0.0.1:{free_port()}/x")
    monkeypatch.setenv("BACKLINE_DB_CONNECT_TIMEOUT", "0")
    with pytest.raises(BacklineStoreError) as error:
        BacklineTrackerStore()
    assert "BACKLINE_DB_URL" in str(error.value)
    monkeypatch.setenv("BACKLINE_REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    with pytest.raises(BacklineStoreError) as error:
        BacklineLockStore()
    assert "BACKLINE_REDIS_URL" in str(error.value)


def test_rasa_loads_the_stores_named_in_endpoints_yml(tmp_path, monkeypatch):
    from rasa.core.lock_store import LockStore
    from rasa.core.tracker_store import TrackerStore
    from rasa.core.utils import AvailableEndpoints

    monkeypatch.setenv("BACKLINE_SQLITE_PATH", str(tmp_path / "e.db"))
    endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml"))
    store = TrackerStore.create(endpoints.tracker_store)
    assert isinstance(getattr(store, "_tracker_store", store), BacklineTrackerStore)
    assert isinstance(LockStore.create(endpoints.lock_store), BacklineLockStore)
    assert (tmp_path / "e.db").exists()


def tracker_with(*events):
    tracker = DialogueStateTracker("someone", [])
    for event in events:
        tracker.update(event)
    return tracker


def test_deletion_is_requested_only_by_the_current_turn():
    deleting = tracker_with(SessionStarted(), ActionExecuted("action_listen"), UserUttered("/affirm"),
                            ActionExecuted("action_delete_conversation"), BotUttered("Done"))
    assert deletion_requested(deleting)
    later = tracker_with(*deleting.events, ActionExecuted("action_listen"), UserUttered("hi"), BotUttered("Hi"))
    assert not deletion_requested(later)


def test_save_deletes_instead_of_saving_and_retrieve_finds_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKLINE_SQLITE_PATH", str(tmp_path / "d.db"))
    store = BacklineTrackerStore()
    keep = tracker_with(ActionExecuted("action_listen"), UserUttered("my wife has MS", message_id="1"))
    asyncio.run(store.save(keep))
    assert asyncio.run(store.retrieve("someone")) is not None
    gone = tracker_with(*keep.events, ActionExecuted("action_delete_conversation"), BotUttered("Done"))
    asyncio.run(store.save(gone))
    assert asyncio.run(store.retrieve("someone")) is None
    assert asyncio.run(store.keys()) == []


def test_in_memory_lock_store_serialises_one_server():
    store = BacklineLockStore()
    order = []

    async def turn(name, hold):
        async with store.lock("c", wait_time_in_seconds=0.01):
            order.append(f"{name} in")
            await asyncio.sleep(hold)
            order.append(f"{name} out")

    async def both():
        first = asyncio.create_task(turn("a", 0.1))
        await asyncio.sleep(0.02)
        await asyncio.gather(first, turn("b", 0))

    asyncio.run(both())
    assert order == ["a in", "a out", "b in", "b out"] and store.get_lock("c") is None


def test_the_delete_action_deletes_the_diary_resets_slots_and_the_form_steps_aside(tmp_path, monkeypatch):
    from rasa_sdk import Tracker
    from rasa_sdk.events import AllSlotsReset
    from rasa_sdk.executor import CollectingDispatcher

    import bot
    from actions.privacy import ActionDeleteConversation
    from ops.diary_store import diary_store

    monkeypatch.setenv("BACKLINE_SQLITE_PATH", str(tmp_path / "backline.db"))
    store = diary_store()
    for conversation in ("rest-leaving", "rest-staying"):
        store.add(conversation, {"when": "2026-11-30T21:00:00+00:00", "severity": 7, "words": "bad night"})
    tracker = Tracker("rest-leaving", {}, {}, [], False, None, {}, "action_listen")
    events = asyncio.run(ActionDeleteConversation().run(CollectingDispatcher(), tracker, {}))
    assert events == [AllSlotsReset()]
    assert store.entries("rest-leaving") == [] and len(store.entries("rest-staying")) == 1
    assert "delete_conversation" in bot.knowledge().policy["intents"]["interruptions"]


def test_the_sqlite_file_and_the_web_secret_are_private(tmp_path, monkeypatch):
    import os
    import stat

    existing = tmp_path / "old.db"
    existing.write_bytes(b"")
    existing.chmod(0o644)
    for path in (tmp_path / "new.db", existing):
        settings.check_database(settings.database({"BACKLINE_SQLITE_PATH": str(path)}), timeout=0)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path.name
    monkeypatch.setattr(settings, "ROOT", tmp_path)
    key = settings.web_secret({})
    assert len(key) >= 32 and settings.web_secret({}) == key, "made once, then kept"
    assert stat.S_IMODE(os.stat(tmp_path / settings.WEB_SECRET_FILE).st_mode) == 0o600
    assert settings.web_secret({"BACKLINE_WEB_SECRET": "k" * 40}) == b"k" * 40


def test_several_workers_need_redis(monkeypatch):
    monkeypatch.setenv("SANIC_WORKERS", "2")
    with pytest.raises(BacklineStoreError) as error:
        BacklineLockStore()
    assert "SANIC_WORKERS" in str(error.value) and "BACKLINE_REDIS_URL" in str(error.value)


def test_a_failed_delete_is_recorded_not_raised(tmp_path, monkeypatch):
    from ops.store_guard import DELETE_FAILED, take_failure

    monkeypatch.setenv("BACKLINE_SQLITE_PATH", str(tmp_path / "f.db"))
    store = BacklineTrackerStore()

    def broken(sender_id):
        raise RuntimeError("disk I/O error with the message 'my wife has MS'")

    monkeypatch.setattr(store, "delete_conversation", broken)
    gone = tracker_with(UserUttered("/affirm"), ActionExecuted("action_delete_conversation"), BotUttered("Done"))
    asyncio.run(store.save(gone))  # Rasa's fail-safe store would keep it in memory if this raised
    assert take_failure("someone") == DELETE_FAILED


def test_preflight_prints_the_rasa_flags_the_shell_scripts_use(tmp_path):
    token = "3f9c2e7a1b5d4c8e9f0a1b2c3d4e5f60"

    def flags(env):
        clean = {k: v for k, v in server_env().items() if not k.startswith("BACKLINE_")}
        result = subprocess.run([sys.executable, "-m", "ops.preflight", "--rasa-args", "--interface", "0.0.0.0"],
                                cwd=ROOT, capture_output=True, text=True, timeout=60,
                                env={**clean, "BACKLINE_SQLITE_PATH": str(tmp_path / "f.db"), **env})
        return result.returncode, result.stdout.split("\0")[:-1], result.stderr

    assert flags({"BACKLINE_API_TOKEN": token})[:2] == (0, ["-i", "0.0.0.0", "--enable-api", "--auth-token", token])
    assert flags({"BACKLINE_API_TOKEN": token, "BACKLINE_ENABLE_API": "FALSE"})[:2] == (0, ["-i", "0.0.0.0"])
    code, printed, said = flags({"BACKLINE_API_TOKEN": "change-me"})
    assert code == 1 and printed == [] and "BACKLINE_API_TOKEN: 'change-me' is a placeholder" in said


def test_making_a_database_private_never_opens_a_file_in_use(tmp_path, monkeypatch):
    """Closing any descriptor of a file drops this process's POSIX locks on it, SQLite's included: a WAL
    database in use then fails with "disk I/O error" (the diary store used to do this to the tracker's file)."""
    import os
    import sqlite3

    path = tmp_path / "backline.db"
    settings.make_private(path)  # a new file is created 0600
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    in_use = sqlite3.connect(path)
    in_use.execute("PRAGMA journal_mode=WAL")
    in_use.execute("CREATE TABLE t (x)")
    in_use.commit()
    path.chmod(0o644)
    opened = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda name, *args, **kwargs: opened.append(str(name)) or real_open(name, *args,
                                                                                                        **kwargs))
    settings.make_private(path)
    assert opened == [] and oct(path.stat().st_mode & 0o777) == "0o600"
    in_use.execute("INSERT INTO t VALUES (1)")
    in_use.commit()
    assert in_use.execute("SELECT count(*) FROM t").fetchone() == (1,)
