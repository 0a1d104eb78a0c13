"""Health details typed into the bot are sensitive: the HTTP API needs a token, message text stays out of
INFO logs, and "delete my conversation" removes the stored conversation (SQLite here; PostgreSQL in
test_scale_out.py)."""
from __future__ import annotations

import sqlite3
import uuid

import pytest
import requests

from harness.servers import RasaServer

from .conftest import OPENING, STORES, TOPICS, answer_for, model_dir, new_sender, slots, texts

TOKEN = uuid.uuid4().hex


@pytest.fixture(scope="module")
def guarded(action_server, tmp_path_factory):
    """A Rasa server with the API behind --auth-token, conversations in a SQLite file, INFO logging."""
    workdir = tmp_path_factory.mktemp("privacy")
    db = workdir / "conversations.db"
    server = RasaServer(workdir, action_url=action_server.webhook, model=model_dir(), endpoints_extra=STORES,
                        env={"BACKLINE_SQLITE_PATH": str(db), "LOG_LEVEL": "INFO"}, auth_token=TOKEN)
    server.db = db
    try:
        yield server.start()
    finally:
        server.stop()


def stored_rows(db, sender):
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT type_name, data FROM events WHERE sender_id = ?", (sender,)).fetchall()


def test_without_a_token_the_api_is_not_served(action_server, tmp_path):
    server = RasaServer(tmp_path, action_url=action_server.webhook, model=model_dir(), endpoints_extra=STORES,
                        env={"BACKLINE_SQLITE_PATH": str(tmp_path / "c.db")}, enable_api=False)
    try:
        server.start()
        sender = new_sender("persist-noapi")
        assert server.say(sender, "hi"), "the chat channels work without the API"
        for path in (f"/conversations/{sender}/tracker", "/status", "/version"):
            response = requests.get(server.url + path, timeout=10)
            assert response.status_code == 404, (path, response.status_code)
    finally:
        server.stop()


def test_with_a_token_the_api_requires_it(guarded):
    sender = new_sender("persist-token")
    guarded.say(sender, "hi")
    url = f"{guarded.url}/conversations/{sender}/tracker"
    assert requests.get(url, timeout=10).status_code == 401
    assert requests.get(url, params={"token": "wrong"}, timeout=10).status_code == 401
    ok = requests.get(url, params={"token": TOKEN}, timeout=10)
    assert ok.status_code == 200 and ok.json()["sender_id"] == sender


def test_message_text_is_not_logged_at_info(guarded, action_server):
    marker = f"zebrafinch{uuid.uuid4().hex[:8]}"
    sender = new_sender("persist-logs")
    guarded.say(sender, f"my wife {marker} has MS and her back hurts")
    topic = slots(guarded, sender)["requested_slot"]
    guarded.say(sender, f"{answer_for(topic)} {marker}")
    guarded.say(sender, f"what is lhermitte's sign {marker}")
    # The text did go through (and is stored, which is the point of the store) ...
    assert any(marker in data for _, data in stored_rows(guarded.db, sender))
    # ... but no log line of either server carries it, nor any other file the servers wrote.
    # (The database's own write-ahead log and index, conversations.db-wal and -shm, hold what it holds.)
    written = [p for p in guarded.workdir.iterdir() if p.is_file() and not p.name.startswith(guarded.db.name)]
    written += [action_server.log]
    assert guarded.log in written and action_server.log.exists()
    for path in written:
        assert marker not in path.read_text(errors="replace"), f"message text in {path.name}"


def test_delete_my_conversation_during_the_questions(guarded):
    sender = new_sender("persist-del")
    guarded.say(sender, OPENING)
    assert slots(guarded, sender)["requested_slot"] in TOPICS
    ask = guarded.say(sender, "delete my conversation")
    assert "delete this conversation" in texts(ask).lower()
    assert [b["title"] for r in ask for b in r.get("buttons", [])] == ["Yes, delete it", "No, keep it"]
    assert stored_rows(guarded.db, sender), "nothing is deleted before the caregiver confirms"
    done = guarded.say(sender, "/affirm")
    assert "deleted this conversation" in texts(done).lower()
    assert stored_rows(guarded.db, sender) == []
    # Writing again starts from the beginning.
    guarded.say(sender, "hi")
    tracker = guarded.tracker(sender)
    assert [e["text"] for e in tracker["events"] if e["event"] == "user"] == ["hi"]
    assert tracker["slots"]["condition"] is None and tracker["slots"]["case"] is None


def test_delete_my_conversation_outside_the_questions_and_asking_twice_confirms(guarded):
    sender = new_sender("persist-del2")
    guarded.say(sender, "hi")
    guarded.say(sender, "remove my data")
    done = guarded.say(sender, "i want my data deleted")  # asking again is a yes
    assert "deleted" in texts(done).lower()
    assert stored_rows(guarded.db, sender) == []


def test_no_keep_it_goes_back_to_the_same_question(guarded):
    sender = new_sender("persist-keep")
    guarded.say(sender, OPENING)
    pending = slots(guarded, sender)["requested_slot"]
    guarded.say(sender, "delete my conversation")
    kept = guarded.say(sender, "/deny")
    assert "kept it" in texts(kept).lower()
    tracker = guarded.tracker(sender)
    assert tracker["active_loop"].get("name") == "symptom_form"
    assert tracker["slots"]["requested_slot"] == pending
    assert tracker["slots"]["condition"] == "ms"
    assert len(stored_rows(guarded.db, sender)) > 0
