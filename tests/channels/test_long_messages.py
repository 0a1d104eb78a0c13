"""One length cap for every channel (BACKLINE_MAX_MESSAGE_CHARS), against the real servers: a message over it
gets the same clear reply on REST, socket.io, Slack and Telegram, is neither read nor stored, and another
caregiver's ordinary message is answered meanwhile."""
from __future__ import annotations

import json
import threading
import uuid

import pytest
import requests

from channels import too_long_text
from ops.settings import DEFAULT_MAX_MESSAGE_CHARS
from tests.channels.socket_client import Browser
from tests.channels.test_slack import event_body, signed_headers
from tests.channels.test_telegram import SECRET, chat, message_update

pytestmark = pytest.mark.e2e

TOO_LONG = too_long_text(DEFAULT_MAX_MESSAGE_CHARS)
# Just over the cap, and words the reader would act on were it read: an emergency sign and a condition.
OVER = ("my wife has MS and since this morning she cannot feel her legs. " * 200)[:DEFAULT_MAX_MESSAGE_CHARS + 1]


def stored_texts(server, conversation: str) -> list:
    return [e.get("text") or "" for e in server.tracker(conversation)["events"] if e.get("event") == "user"]


def assert_not_kept(server, conversation: str) -> None:
    texts = stored_texts(server, conversation)
    assert all(len(text) <= DEFAULT_MAX_MESSAGE_CHARS for text in texts), "the oversize message was stored"
    assert "seek_care_now" not in json.dumps(server.tracker(conversation)["slots"]), "the oversize message was read"


def test_rest_refuses_it_with_the_reason(channel_server):
    sender = f"long-{uuid.uuid4().hex[:8]}"
    response = requests.post(f"{channel_server.url}/webhooks/rest/webhook", json={"sender": sender, "message": OVER},
                             timeout=60)
    assert response.status_code == 413
    assert response.json()["error"] == TOO_LONG
    assert_not_kept(channel_server, sender)


def test_a_message_at_the_cap_is_still_read(channel_server):
    sender = f"long-{uuid.uuid4().hex[:8]}"
    replies = channel_server.say(sender, OVER[:DEFAULT_MAX_MESSAGE_CHARS], timeout=120)
    assert replies and all(r.get("text") != TOO_LONG for r in replies)


def test_the_web_widget_gets_the_clear_reply(channel_server):
    browser = Browser(channel_server.url)
    try:
        session = browser.start()
        heard = browser.say(OVER)
    finally:
        browser.close()
    assert TOO_LONG in heard, heard
    assert_not_kept(channel_server, "web:" + session.split(".")[0])


def test_slack_gets_the_clear_reply(channel_server, slack_api):
    user = "U" + uuid.uuid4().hex[:9].upper()
    channel = "D" + user[1:]
    body = event_body(user, channel, OVER)
    response = requests.post(f"{channel_server.url}/webhooks/slack/webhook", data=body, headers=signed_headers(body),
                             timeout=60)
    assert response.status_code == 200
    calls = slack_api.wait_for("chat.postMessage", channel=channel)
    slack_api.settle()
    assert [c.params.get("text") for c in slack_api.of("chat.postMessage", channel=channel)] == [TOO_LONG], calls
    assert_not_kept(channel_server, f"slack:{user}")


def test_telegram_gets_the_clear_reply_while_another_caregiver_is_answered(channel_server, telegram_api):
    """Several oversize updates at once, and an ordinary REST message from someone else in the middle."""
    people = [chat() for _ in range(4)]
    other = f"long-other-{uuid.uuid4().hex[:8]}"
    answered = {}

    def post(person):
        requests.post(f"{channel_server.url}/webhooks/telegram/webhook", json=message_update(person, OVER),
                      headers=SECRET, timeout=120)

    threads = [threading.Thread(target=post, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    answered["replies"] = channel_server.say(other, "my dad has ALS and his lower back aches", timeout=120)
    for thread in threads:
        thread.join(130)
    assert answered["replies"], "the other caregiver got no answer"
    for person in people:
        calls = telegram_api.wait_for("sendMessage", chat_id=person["id"])
        assert [c.params.get("text") for c in calls] == [TOO_LONG]
        assert_not_kept(channel_server, f"telegram:{person['id']}")
