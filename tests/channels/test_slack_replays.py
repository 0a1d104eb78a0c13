"""Slack's replay memory is shared by every Rasa server when BACKLINE_REDIS_URL is set (issue 23): a signed
request accepted by one replica is refused by another within Slack's five-minute window. Two memories stand
for two replicas, on the local Redis (BACKLINE_TEST_REDIS)."""
from __future__ import annotations

import asyncio
import os
import uuid

import pytest

from channels.slack import replay_memory

REDIS_URL = os.environ.get("BACKLINE_TEST_REDIS", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_env(monkeypatch):
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=5).ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis at {REDIS_URL} is needed for this test (set BACKLINE_TEST_REDIS): {error}")
    monkeypatch.setenv("BACKLINE_REDIS_URL", REDIS_URL)


def first_time(memory, timestamp, signature) -> bool:
    return asyncio.run(memory.first_time(timestamp, signature))


def test_a_request_seen_by_one_replica_is_a_replay_at_another(redis_env):
    one, other = replay_memory(), replay_memory()
    signature = f"v0={uuid.uuid4().hex}"
    assert first_time(one, "1700000000", signature)
    assert not first_time(other, "1700000000", signature), "the other replica accepted the replay"
    assert not first_time(one, "1700000000", signature)
    assert first_time(other, "1700000000", f"v0={uuid.uuid4().hex}"), "a new request is not a replay"


def test_without_redis_the_memory_is_the_servers_own(monkeypatch):
    monkeypatch.delenv("BACKLINE_REDIS_URL", raising=False)
    one, other = replay_memory(), replay_memory()
    signature = f"v0={uuid.uuid4().hex}"
    assert first_time(one, "1700000000", signature) and not first_time(one, "1700000000", signature)
    assert first_time(other, "1700000000", signature), "documented: per replica (docs/operations.md)"


def test_a_dead_redis_falls_back_to_the_servers_memory(monkeypatch):
    from harness.servers import free_port

    monkeypatch.setenv("BACKLINE_REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    monkeypatch.setenv("BACKLINE_STORE_TIMEOUT", "1")
    memory = replay_memory()
    signature = f"v0={uuid.uuid4().hex}"
    assert first_time(memory, "1700000000", signature), "a Slack message is not lost to a Redis outage"
    assert not first_time(memory, "1700000000", signature)
