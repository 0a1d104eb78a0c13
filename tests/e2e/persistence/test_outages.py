"""PostgreSQL or Redis dead or hung while Backline runs (through a TcpOutage forwarder; the machine's own
services keep running): a red-flag message still gets the full escalation within seconds, and "delete my
conversation" says it failed instead of "Done". Against the real Rasa and action servers."""
from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine.url import make_url

from channels import DELETE_FAILED_TEXTS, SAVE_FAILED_TEXT
from harness.servers import warm_up_actions
from ops.store_guard import DELETE_FAILED

from .conftest import REDIS_URL, new_sender, texts
from .outage import TcpOutage

RED_FLAG = "my husband has MS and since this morning he suddenly cannot feel his legs or control his bladder"
STORE_TIMEOUT = 2.0
# A few seconds: each store call is bounded by STORE_TIMEOUT, and a turn makes a handful of them.
ESCALATION_WITHIN = 15.0


@pytest.fixture(scope="module")
def warm(action_server):
    warm_up_actions(action_server)
    return action_server


@contextmanager
def behind_outage(port: int) -> Iterator[TcpOutage]:
    outage = TcpOutage(port).start()
    try:
        yield outage
    finally:
        outage.close()


def timed_say(server, sender, message):
    started = time.monotonic()
    replies = server.say(sender, message, timeout=60)
    return replies, time.monotonic() - started


def escalation_texts(server) -> list:
    replies = server.say(new_sender("persist-healthy-flag"), RED_FLAG)
    said = [r["text"] for r in replies if r.get("text")]
    assert "seek care now" in " ".join(said).lower(), said
    return said


def stored_events(db_url, sender) -> int:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": sender}).scalar()
    finally:
        engine.dispose()


@pytest.mark.parametrize("failure", ["close", "hang"], ids=["postgres-unreachable", "postgres-hung"])
def test_a_red_flag_gets_the_full_escalation_while_postgresql_fails(rasa_servers, warm, pg_url, failure):
    url = make_url(pg_url)
    with behind_outage(url.port or 5432) as outage:
        server = rasa_servers({"BACKLINE_DB_URL": url.set(port=outage.port).render_as_string(hide_password=False),
                               "BACKLINE_STORE_TIMEOUT": str(STORE_TIMEOUT)})
        expected = escalation_texts(server)
        getattr(outage, failure)()
        replies, took = timed_say(server, new_sender("persist-pg-flag"), RED_FLAG)
    said = [r["text"] for r in replies if r.get("text")]
    assert took < ESCALATION_WITHIN, f"{took:.1f} s"
    for line in expected:
        assert line in said, f"missing from the escalation during the outage: {line!r}"
    assert said[-1] == SAVE_FAILED_TEXT, "the caregiver is told this turn was not saved"


def test_a_red_flag_gets_the_full_escalation_while_redis_hangs(rasa_servers, warm, tmp_path, redis_client):
    port = make_url(REDIS_URL.replace("redis://", "postgresql://")).port or 6379
    with behind_outage(port) as outage:
        server = rasa_servers({"BACKLINE_SQLITE_PATH": str(tmp_path / "c.db"),
                               "BACKLINE_REDIS_URL": f"redis://127.0.0.1:{outage.port}/0",
                               "BACKLINE_STORE_TIMEOUT": str(STORE_TIMEOUT)})
        expected = escalation_texts(server)
        outage.hang()
        sender = new_sender("persist-redis-flag")
        replies, took = timed_say(server, sender, RED_FLAG)
        # The server stays responsive for everyone else meanwhile (nothing blocks its event loop).
        other, other_took = timed_say(server, new_sender("persist-redis-other"), "hi")
    said = [r["text"] for r in replies if r.get("text")]
    assert took < ESCALATION_WITHIN, f"{took:.1f} s"
    assert said == expected
    assert other and other_took < ESCALATION_WITHIN
    assert server.tracker(sender)["slots"]["triage"] == "seek_care_now", "the turn was saved without the lock"


def test_delete_during_a_store_failure_says_it_failed(rasa_servers, warm, pg_url):
    """The database refuses the DELETE (a trigger stands in for a disk, permission or connection failure at
    that moment): the reply says nothing was deleted, instead of the usual "Done"."""
    server = rasa_servers({"BACKLINE_DB_URL": pg_url, "BACKLINE_STORE_TIMEOUT": str(STORE_TIMEOUT)})
    sender = new_sender("persist-del-outage")
    server.say(sender, "my wife has MS and her back hurts")
    ask = server.say(sender, "delete my conversation")
    assert "delete this conversation" in texts(ask).lower()
    engine = create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
                          "$$ BEGIN RAISE EXCEPTION 'disk failure'; END $$"))
        conn.execute(text("CREATE TRIGGER no_delete BEFORE DELETE ON events EXECUTE FUNCTION refuse()"))
    engine.dispose()
    kept = stored_events(pg_url, sender)
    replies = server.say(sender, "/affirm", timeout=60)
    assert [r.get("text") for r in replies] == [DELETE_FAILED_TEXTS[DELETE_FAILED]], \
        "no 'Done' for a deletion that failed"
    assert stored_events(pg_url, sender) == kept > 0, "nothing was deleted, as the reply says"
