"""The Rasa server crashes (SIGKILL, no clean shutdown) in the middle of the symptom questions and is
started again on the same database: the conversation resumes at the same question. Uses Backline's own
tracker store (ops/stores.py, SQLite by default); the graceful-restart and PostgreSQL cases are in
tests/e2e/persistence/."""
from __future__ import annotations

from harness.servers import RasaServer

from .conftest import STORES, TOPICS, answer_for, model_dir, new_sender


def test_crash_mid_form_resumes_at_the_same_question(healthy, tmp_path):
    stack = healthy
    env = {"BACKLINE_SQLITE_PATH": str(tmp_path / "crash.db")}
    server = RasaServer(tmp_path, action_url=stack.actions.webhook, model=model_dir(), endpoints_extra=STORES, env=env)
    try:
        server.start()
        sender = new_sender("crash")
        server.say(sender, "hi")
        server.say(sender, "my husband has MS and his back hurts")
        first = server.tracker(sender)["slots"]["requested_slot"]
        server.say(sender, answer_for(first))
        before = server.tracker(sender)
        pending = before["slots"]["requested_slot"]
        assert pending in TOPICS and pending != first

        server.proc.kill()  # a crash: no shutdown hooks run
        server.proc.wait(timeout=30)
        server.start()

        after = server.tracker(sender)
        assert (after.get("active_loop") or {}).get("name") == "symptom_form"
        assert after["slots"]["requested_slot"] == pending
        assert after["slots"]["case"] == before["slots"]["case"]
        server.say(sender, answer_for(pending))
        state = server.tracker(sender)["slots"]
        assert state[pending] is not None and state["requested_slot"] != pending
    finally:
        server.stop()
