"""A caregiver's conversation survives a Rasa server restart, on SQLite (the default) and on PostgreSQL,
and resumes at the same question of the symptom form."""
from __future__ import annotations

from .conftest import EXPECTED, OPENING, TOPICS, answer_for, new_sender, slots


def _half_way(server, sender):
    server.say(sender, "hi")
    server.say(sender, OPENING)  # the form starts: condition and location told, more to ask
    state = slots(server, sender)
    assert state["requested_slot"] in TOPICS
    assert state["condition"] == "ms"
    return state


def _restart_and_resume(rasa_servers, env):
    sender = new_sender("persist-restart")
    server = rasa_servers(env)
    before = _half_way(server, sender)
    tracker_before = server.tracker(sender)
    server.stop()

    server.start()  # a new process on the same port, same database
    tracker = server.tracker(sender)
    assert tracker["active_loop"].get("name") == "symptom_form", "the form is still active after the restart"
    after = tracker["slots"]
    assert after["requested_slot"] == before["requested_slot"], "resumes at the same question"
    for name in ("condition", "pain_location", "case"):
        assert after[name] == before[name]
    assert len([e for e in tracker["events"] if e["event"] == "user"]) == \
        len([e for e in tracker_before["events"] if e["event"] == "user"])

    # The next answer continues the form: the pending topic gets the answer, the form moves on.
    pending = after["requested_slot"]
    server.say(sender, answer_for(pending))
    state = slots(server, sender)
    assert state[pending] is not None, f"the answer to {pending} was recorded"
    assert state["requested_slot"] != pending
    for _ in range(8):
        asked = slots(server, sender)["requested_slot"]
        if asked is None:
            break
        server.say(sender, answer_for(asked))
    state = slots(server, sender)
    assert state["requested_slot"] is None
    assert {k: state[k] for k in EXPECTED} == EXPECTED


def test_restart_on_sqlite_resumes_the_same_question(rasa_servers, tmp_path):
    db = tmp_path / "conversations.db"
    _restart_and_resume(rasa_servers, {"BACKLINE_SQLITE_PATH": str(db)})
    assert db.exists()


def test_restart_on_postgresql_resumes_the_same_question(rasa_servers, pg_url):
    _restart_and_resume(rasa_servers, {"BACKLINE_DB_URL": pg_url})
