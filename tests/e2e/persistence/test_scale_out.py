"""Two Rasa servers on different ports sharing PostgreSQL (tracker store) and Redis (lock store), as an
operator runs them behind a load balancer: one conversation, messages spread over both servers."""
from __future__ import annotations

import concurrent.futures
from contextlib import contextmanager
from typing import Iterator, Tuple

import pytest
import requests

from harness.servers import RasaServer

from .conftest import (
    EXPECTED,
    OPENING,
    REDIS_URL,
    STORES,
    TOPICS,
    answer_for,
    fresh_pg_database,
    model_dir,
    new_sender,
    slots,
    texts,
)
from .stale_cache import STALE_STORES


@contextmanager
def server_pair(action_server, workdir, env, stores=STORES) -> Iterator[Tuple[RasaServer, RasaServer]]:
    servers = [RasaServer(workdir, action_url=action_server.webhook, model=model_dir(),
                          endpoints_extra=stores, env=env) for _ in range(2)]
    try:
        for server in servers:
            server.start()
        yield tuple(servers)
    finally:
        for server in servers:
            server.stop()


@pytest.fixture(scope="module")
def two_servers(action_server, tmp_path_factory):
    with fresh_pg_database() as url:
        env = {"BACKLINE_DB_URL": url, "BACKLINE_REDIS_URL": REDIS_URL}
        with server_pair(action_server, tmp_path_factory.mktemp("scale-out"), env) as servers:
            yield servers


def alternate(a, b, sender):
    """The symptom form, each message to the other server: the messages sent and the topics asked."""
    sent = ["hi", OPENING]
    a.say(sender, sent[0])
    b.say(sender, sent[1])
    asked = []
    for turn in range(10):
        server = (a, b)[turn % 2]
        topic = slots(server, sender)["requested_slot"]
        if topic is None:
            break
        asked.append(topic)
        sent.append(answer_for(topic))
        server.say(sender, sent[-1])
    return sent, asked


def user_texts(server, sender):
    """The caregiver's messages in the conversation as `server` sees it."""
    return [event["text"] for event in server.tracker(sender)["events"] if event["event"] == "user"]


def test_alternate_servers_reach_the_right_assessment(two_servers):
    a, b = two_servers
    assert a.port != b.port
    sender = new_sender("persist-alt")
    sent, asked = alternate(a, b, sender)
    assert set(asked) <= TOPICS
    assert len(asked) == len(set(asked)), f"no question asked twice: {asked}"
    assert user_texts(a, sender) == user_texts(b, sender) == sent, "both servers see every message, in order"
    state_a, state_b = slots(a, sender), slots(b, sender)
    assert state_a == state_b, "both servers see the same conversation"
    assert {k: state_a[k] for k in EXPECTED} == EXPECTED
    assert state_a["requested_slot"] is None


def test_without_the_freshness_check_a_server_loses_the_other_servers_messages(action_server, redis_client,
                                                                               tmp_path):
    """The same traffic with tracker caches that trust themselves (stale_cache.py): a server answers from the
    conversation as it last saw it, without the other server's messages. This is what the check against
    the database prevents."""
    sender = new_sender("persist-stale")
    with fresh_pg_database() as url:
        env = {"BACKLINE_DB_URL": url, "BACKLINE_REDIS_URL": REDIS_URL}
        with server_pair(action_server, tmp_path, env, STALE_STORES) as (a, b):
            sent, asked = alternate(a, b, sender)
            seen = user_texts(a, sender), user_texts(b, sender)
    assert sent[:2] == ["hi", OPENING]
    assert seen[0] != sent or seen[1] != sent, f"a server lost the other's messages: {sent} {seen} {asked}"


def _user_turns(tracker):
    """The user messages in order, each with the number of bot messages before the next user message."""
    turns = []
    for event in tracker["events"]:
        if event["event"] == "user":
            turns.append([event["text"], 0])
        elif event["event"] == "bot" and turns:
            turns[-1][1] += 1
    return turns


def post_at_once(a, b, posts):
    """N messages for one new conversation posted at the same moment, half to each server. Returns the
    conversation id, the messages, and the (status, replies) of each post."""
    sender = new_sender("persist-lock")
    a.say(sender, "hi")
    messages = [f"thank you, note {i} zq{i:02d}" for i in range(posts)]

    def post(i):
        server = (a, b)[i % 2]
        response = requests.post(f"{server.url}/webhooks/rest/webhook",
                                 json={"sender": sender, "message": messages[i]}, timeout=120)
        return response.status_code, response.json()

    with concurrent.futures.ThreadPoolExecutor(max_workers=posts) as pool:
        return sender, messages, list(pool.map(post, range(posts)))


def stored_whole(server, sender, messages) -> bool:
    """Every message stored exactly once, each with its bot reply before the next user message."""
    turns = _user_turns(server.tracker(sender))
    sent = [text for text, _ in turns if text in messages]
    return sorted(sent) == sorted(messages) and all(bots > 0 for _, bots in turns)


@pytest.mark.parametrize("posts", [12, 24])
def test_concurrent_messages_to_one_conversation_are_serialised(two_servers, redis_client, posts):
    """Every message is processed once, whole (its bot reply stored before the next user message), none
    lost. Without a working cross-server lock two servers read the same tracker at once."""
    a, b = two_servers
    sender, messages, results = post_at_once(a, b, posts)
    assert all(status == 200 for status, _ in results), results
    assert all(replies for _, replies in results), "every message got its reply"
    for server in (a, b):
        assert stored_whole(server, sender, messages), _user_turns(server.tracker(sender))
    assert not list(redis_client.scan_iter(f"backline:lock:{sender}*")), "the lock was released"


def test_without_a_shared_lock_rasas_save_loses_messages(action_server, tmp_path):
    """The README's lock-store figures, rerun: the same traffic with each server's locks in its own memory
    (a lock store that does not lock across servers) and Rasa's own save, which writes the tracker's events
    after as many as are stored: when two turns overlap, the second save drops its own turn.

    Rasa's own path throughout (every speed-up off): the faster a turn, the rarer two overlap, so the race is
    given three conversations to show itself; the serialised test above must hold on every one."""
    env = {"BACKLINE_SPEEDUPS_OFF": "all"}
    with fresh_pg_database() as url, server_pair(action_server, tmp_path, {**env, "BACKLINE_DB_URL": url}) as (a, b):
        whole = []
        for _ in range(3):
            sender, messages, results = post_at_once(a, b, 24)
            assert all(status == 200 for status, _ in results), results
            whole.append(stored_whole(a, sender, messages))
            if not whole[-1]:
                break
        assert not all(whole), "messages lost or stored without their reply"


def test_delete_my_conversation_on_postgresql(two_servers):
    """Deleting on one server removes the conversation from the shared database: the other sees nothing."""
    from sqlalchemy import create_engine, text

    a, b = two_servers
    sender = new_sender("persist-del")
    a.say(sender, OPENING)
    assert slots(b, sender)["requested_slot"] in TOPICS
    ask = b.say(sender, "please delete my conversation")
    assert [btn["payload"] for r in ask for btn in r.get("buttons", [])] == ["/affirm", "/deny"]
    done = a.say(sender, "/affirm")
    assert "deleted" in texts(done).lower()
    engine = create_engine(b.env["BACKLINE_DB_URL"])
    try:
        with engine.connect() as conn:
            left = conn.execute(text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": sender}).scalar()
    finally:
        engine.dispose()
    assert left == 0
    tracker = b.tracker(sender)  # the API creates a fresh, empty conversation
    assert not [e for e in tracker["events"] if e["event"] == "user"]
    assert tracker["slots"]["condition"] is None
