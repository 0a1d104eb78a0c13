"""Servers with Backline's own stores (ops/stores.py) on SQLite or on the local PostgreSQL + Redis.

Every PostgreSQL test gets a fresh database (dropped afterwards), every test unique sender ids; Redis
lock keys are removed by the lock store itself after each message (and by the fixture, to be sure).
BACKLINE_E2E_MODEL points the servers at another trained model (default: models/, as CI trains it).
"""
from __future__ import annotations

import os
from typing import Dict, Iterator, List

import pytest

from harness.conversation import ANSWERS, TOPICS, answer_for, new_sender  # noqa: F401 (used by the tests)
from harness.servers import ActionServer, RasaServer
from harness.servers import trained_model_dir as model_dir  # noqa: F401
from harness.stores import PG_ADMIN, STORES, fresh_pg_database  # noqa: F401 (used by the tests)

REDIS_URL = os.environ.get("BACKLINE_TEST_REDIS", "redis://127.0.0.1:6379/0")

# A conversation the clinical core reads as MS nerve pain with no red flag: the opening leaves questions
# to ask (which ones is the core's choice); ANSWERS answers whatever is asked.
OPENING = "my husband has MS and his back hurts"
EXPECTED = {"pain_type": "neuropathic", "triage": "self_care"}








@pytest.fixture(scope="session")
def action_server(tmp_path_factory) -> Iterator[ActionServer]:
    server = ActionServer(tmp_path_factory.mktemp("persist-actions")).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def rasa_servers(action_server, tmp_path):
    """A factory for Rasa servers with Backline's stores; every server started is stopped at the end."""
    started: List[RasaServer] = []

    def start(env: Dict[str, str], **kwargs) -> RasaServer:
        server = RasaServer(tmp_path, action_url=action_server.webhook, model=model_dir(),
                            endpoints_extra=STORES, env=env, **kwargs)
        started.append(server)
        return server.start()

    try:
        yield start
    finally:
        for server in started:
            server.stop()


@pytest.fixture
def pg_url() -> Iterator[str]:
    with fresh_pg_database() as url:
        yield url


@pytest.fixture
def redis_client():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis at {REDIS_URL} is needed for this test (set BACKLINE_TEST_REDIS): {error}")
    yield client
    for key in client.scan_iter("backline:lock:persist-*"):
        client.delete(key)
    client.close()


def slots(server: RasaServer, sender: str) -> dict:
    return server.tracker(sender)["slots"]


def texts(replies) -> str:
    return " ".join(r.get("text", "") for r in replies)
