"""Conversation identity and exposure against the real servers: REST cannot reach another channel's
conversation, a second browser cannot take over a web conversation, the HTTP API refuses to start open
to the network, a flooding client gets 429, and the files holding conversations or secrets are private."""
from __future__ import annotations

import os
import stat
import subprocess
import time

import pytest
import requests

from harness.servers import RASA, ROOT, RasaServer, server_env
from tests.channels.socket_client import Browser

from .conftest import STORES, model_dir, new_sender

OPENING = "my wife has MS and her back hurts"


@pytest.fixture
def server(rasa_servers, tmp_path):
    return rasa_servers({"BACKLINE_SQLITE_PATH": str(tmp_path / "conversations.db")})


def post(server, body):
    return requests.post(f"{server.url}/webhooks/rest/webhook", json=body, timeout=60)


def user_texts(server, sender):
    return [e["text"] for e in server.tracker(sender)["events"] if e["event"] == "user"]


@pytest.mark.parametrize("sender", ["slack:U024BE7LH", "telegram:987654321", "web:" + "0" * 32, None, "x" * 129])
def test_rest_cannot_reach_another_channels_conversation(server, sender):
    response = post(server, {"sender": sender, "message": "/request_summary"} if sender else {"message": "hi"})
    assert response.status_code == 400 and "sender" in response.json()["error"]


def test_a_second_browser_cannot_take_over_a_web_conversation(server):
    owner, intruder = Browser(server.url), Browser(server.url)
    try:
        token = owner.start()
        session = token.split(".")[0]
        assert owner.say(OPENING)
        conversation = f"web:{session}"
        before = user_texts(server, conversation)
        assert before == [OPENING]
        owner.heard.clear()
        # The intruder presents the owner's id without its signature, then in the message payload.
        for presented in (session, conversation, session + ".forged"):
            assert intruder.start(presented).split(".")[0] != session, "a forged id gets a fresh one"
        replies = intruder.say("/request_summary", session_id=token)
        assert replies, "the intruder gets an answer in its own, new conversation"
        assert user_texts(server, conversation) == before, "nothing was posted into the owner's conversation"
        time.sleep(2)
        assert owner.heard == [], "the owner's room heard nothing of the intruder's turn"
    finally:
        owner.close()
        intruder.close()
    # The same browser coming back with its signed id resumes its conversation.
    returning = Browser(server.url)
    try:
        assert returning.start(token) == token
        assert returning.say("she uses a cane")
        assert user_texts(server, conversation) == [OPENING, "she uses a cane"]
    finally:
        returning.close()


def test_the_api_refuses_to_start_open_to_the_network(action_server, tmp_path):
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(f"action_endpoint:\n  url: {action_server.webhook}\n{STORES}")
    command = [str(RASA), "run", "-m", str(model_dir()), "--enable-api", "-i", "0.0.0.0", "--port", "0",
               "--endpoints", str(endpoints), "--credentials", str(ROOT / "credentials.yml")]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300,
                            env=server_env({"BACKLINE_SQLITE_PATH": str(tmp_path / "c.db")}))
    assert result.returncode != 0
    said = result.stdout + result.stderr
    assert "--enable-api" in said and "--auth-token" in said and "-i 127.0.0.1" in said, said[-2000:]
    assert "Starting Rasa server" not in said


def test_a_flooding_client_gets_429(rasa_servers, tmp_path):
    server = rasa_servers({"BACKLINE_SQLITE_PATH": str(tmp_path / "c.db"), "BACKLINE_RATE_LIMIT": "3/60",
                           "BACKLINE_RATE_LIMIT_LOOPBACK": "1"})
    statuses = [post(server, {"sender": new_sender("persist-flood"), "message": "hi"}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    browser = Browser(server.url)
    try:
        browser.start()
        assert "faster than Backline can answer" in " ".join(browser.say("hi"))
    finally:
        browser.close()


def test_conversation_and_secret_files_are_private(rasa_servers, tmp_path):
    db = tmp_path / "conversations.db"
    server = rasa_servers({"BACKLINE_SQLITE_PATH": str(db)})
    server.say(new_sender("persist-modes"), OPENING)
    secret = ROOT / "var" / "web-session.secret"
    for path in (db, secret):
        mode = stat.S_IMODE(os.stat(path).st_mode)
        assert mode & 0o077 == 0, f"{path.name} is readable by others: {oct(mode)}"


def test_several_workers_with_in_memory_locks_are_refused(action_server, tmp_path):
    server = RasaServer(tmp_path, action_url=action_server.webhook, model=model_dir(), endpoints_extra=STORES,
                        env={"BACKLINE_SQLITE_PATH": str(tmp_path / "c.db"), "SANIC_WORKERS": "2"})
    with pytest.raises(RuntimeError):
        server.start(timeout=240)
    assert "SANIC_WORKERS" in server.log.read_text(errors="replace")
