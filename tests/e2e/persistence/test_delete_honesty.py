""""Delete my conversation" says what really happened, with the real servers on one PostgreSQL database
(the action server writes and deletes the diary, the Rasa server's tracker store deletes the events and the
diary): the database refuses the diary's DELETE, or the events' (a trigger stands in for a disk, permission
or connection failure), and the reply is checked against what is still stored. (Every combination, with
timeouts and files, on the tracker store itself: tests/ops/test_delete_honesty.py.)"""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from channels import DELETE_FAILED_TEXTS
from harness.servers import running_backline
from ops.store_guard import DELETE_FAILED

from .conftest import STORES, model_dir, new_sender, texts


@pytest.fixture(scope="module")
def backline(tmp_path_factory):
    from harness.stores import fresh_pg_database

    with fresh_pg_database("backline_delete") as url:
        with running_backline(tmp_path_factory.mktemp("delete-honesty"), model=model_dir(), endpoints_extra=STORES,
                              env={"BACKLINE_DB_URL": url, "BACKLINE_STORE_TIMEOUT": "3"}) as rasa:
            rasa.db_url = url
            yield rasa


def counts(url, sender):
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            events = conn.execute(text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": sender}).scalar()
            diary = conn.execute(text("SELECT count(*) FROM backline_diary WHERE conversation = :s"),
                                 {"s": sender}).scalar()
        return events, diary
    finally:
        engine.dispose()


def refuse_deletes(url, table):
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE OR REPLACE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
                          "$$ BEGIN RAISE EXCEPTION 'disk failure'; END $$"))
        conn.execute(text(f"CREATE TRIGGER refuse_{table} BEFORE DELETE ON {table} EXECUTE FUNCTION refuse()"))
    engine.dispose()


def allow_deletes(url, table):
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"DROP TRIGGER IF EXISTS refuse_{table} ON {table}"))
    engine.dispose()


@pytest.mark.parametrize("table", ["backline_diary", "events"])
def test_a_refused_delete_is_reported_as_it_happened(backline, table):
    sender = new_sender("delete-honesty")
    backline.say(sender, "my wife has MS and her back hurts")
    backline.say(sender, "log: yesterday, sore lower back after sitting all afternoon, about 5")
    ask = backline.say(sender, "delete my conversation")
    assert "delete this conversation" in texts(ask).lower()
    before = counts(backline.db_url, sender)
    assert before[0] > 0 and before[1] == 1, before
    refuse_deletes(backline.db_url, table)
    try:
        replies = backline.say(sender, "/affirm", timeout=60)
    finally:
        allow_deletes(backline.db_url, table)
    said = texts(replies)
    after = counts(backline.db_url, sender)
    assert [r.get("text") for r in replies] == [DELETE_FAILED_TEXTS[DELETE_FAILED]], said
    assert after[0] == before[0], "the reply says the conversation is still stored"
    if "Nothing was removed" in said or "diary" not in said:
        assert after[1] == before[1], "the diary went, and the reply did not say it might have"
    # Asking again finishes the deletion, as the reply says (the question is still pending: no second "yes").
    again = backline.say(sender, "delete my conversation")
    if "delete this conversation" in texts(again).lower():
        again = backline.say(sender, "/affirm", timeout=60)
    assert "deleted" in texts(again).lower()
    assert counts(backline.db_url, sender) == (0, 0)
