"""Slack, end to end on loopback: signed Events API and interactivity payloads posted to the running
Rasa server; Slack's Web API is a local fake that records what the bot sends back."""
from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from urllib.parse import urlencode

import pytest
import requests

from tests.channels.conftest import SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET

pytestmark = pytest.mark.e2e

TOPICS = {"condition", "pain_location", "pain_feel", "pain_trigger", "pain_relief", "pain_timing",
          "mobility", "red_flag_screen"}


def signed_headers(body: bytes, secret: str = SLACK_SIGNING_SECRET, timestamp: int = None,
                   content_type="application/json"):
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": f"v0={digest}"}


def event_body(user: str, channel: str, text: str) -> bytes:
    """An Events API `message.im` callback, shaped as Slack sends it."""
    ts = f"{time.time():.6f}"
    return json.dumps({
        "token": "legacy-verification-token", "team_id": "T0CAREGIVERS", "api_app_id": "A0BACKLINE",
        "event": {"type": "message", "channel": channel, "user": user, "text": text, "ts": ts,
                  "event_ts": ts, "channel_type": "im"},
        "type": "event_callback", "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}", "event_time": int(time.time()),
        "authorizations": [{"team_id": "T0CAREGIVERS", "user_id": "U0BACKLINE", "is_bot": True}],
    }).encode()


def webhook(server) -> str:
    return f"{server.url}/webhooks/slack/webhook"


def say(server, slack_api, user, channel, text):
    """Posts a signed DM event; returns the chat.postMessage calls of the bot's reply."""
    before = len(slack_api.of("chat.postMessage", channel=channel))
    body = event_body(user, channel, text)
    response = requests.post(webhook(server), data=body, headers=signed_headers(body), timeout=10)
    assert response.status_code == 200, response.text
    slack_api.wait_for("chat.postMessage", count=before + 1, channel=channel)
    slack_api.settle()
    return slack_api.of("chat.postMessage", channel=channel)[before:]


def click(server, slack_api, user, channel, button):
    """Posts a signed block_actions payload for a button from the bot's blocks."""
    before = len(slack_api.of("chat.postMessage", channel=channel))
    payload = {"type": "block_actions", "user": {"id": user, "team_id": "T0CAREGIVERS"},
               "channel": {"id": channel, "name": "directmessage"}, "team": {"id": "T0CAREGIVERS"},
               "message": {"ts": "1700000000.000100", "type": "message"},
               "actions": [{"type": "button", "action_id": uuid.uuid4().hex[:6], "block_id": "b1",
                            "text": button["text"], "value": button["value"], "action_ts": f"{time.time():.6f}"}]}
    body = urlencode({"payload": json.dumps(payload)}).encode()
    response = requests.post(webhook(server), data=body, timeout=10,
                             headers=signed_headers(body, content_type="application/x-www-form-urlencoded"))
    assert response.status_code == 200, response.text
    slack_api.wait_for("chat.postMessage", count=before + 1, channel=channel)
    slack_api.settle()
    return slack_api.of("chat.postMessage", channel=channel)[before:]


def buttons_of(call):
    for block in call.params.get("blocks") or []:
        if block.get("type") == "actions":
            return [e for e in block["elements"] if e.get("type") == "button"]
    return []


@pytest.fixture
def user():
    return "U" + uuid.uuid4().hex[:9].upper()


def test_a_dm_gets_the_bots_question_through_chat_post_message(channel_server, slack_api, user):
    channel = "D" + user[1:]
    replies = say(channel_server, slack_api, user, channel, "my husband has MS and his lower back hurts")
    assert all(c.headers.get("Authorization") == f"Bearer {SLACK_BOT_TOKEN}" for c in replies)
    assert replies[-1].params["text"].rstrip().endswith("?"), replies[-1].params
    slots = channel_server.tracker(f"slack:{user}")["slots"]  # the namespaced user id
    assert slots["condition"] == "ms"
    assert slots["requested_slot"] in TOPICS


def test_a_button_question_arrives_as_blocks_and_a_click_answers_it(channel_server, slack_api, user):
    channel = "D" + user[1:]
    replies = say(channel_server, slack_api, user, channel,
                  "my wife has MS, she gets a burning, stabbing pain in her mid back out of nowhere, worse when hot")
    for _ in range(6):
        if buttons_of(replies[-1]):
            break
        replies = say(channel_server, slack_api, user, channel, "not sure")
    question = replies[-1]
    buttons = buttons_of(question)
    assert buttons, [c.params for c in replies]
    section = question.params["blocks"][0]
    assert section["type"] == "section" and section["text"]["text"] == question.params["text"]
    assert all(b["text"]["type"] == "plain_text" and b["value"] for b in buttons)
    asked = channel_server.tracker(f"slack:{user}")["slots"]["requested_slot"]

    choice = next((b for b in buttons if b["text"]["text"] in ("None of these", "Not sure")), buttons[-1])
    after = click(channel_server, slack_api, user, channel, choice)
    assert after, "the click got no answer"
    slots = channel_server.tracker(f"slack:{user}")["slots"]
    assert slots["requested_slot"] != asked or slots["triage"] is not None


def test_a_red_flag_in_slack_escalates(channel_server, slack_api, user):
    channel = "D" + user[1:]
    replies = say(channel_server, slack_api, user, channel,
                  "my dad has ALS and since this morning he has wet himself twice, that never happens")
    assert replies[0].params["text"].startswith("Seek care now.")
    assert channel_server.tracker(f"slack:{user}")["slots"]["triage"] == "seek_care_now"


@pytest.mark.parametrize("headers", [
    {},  # unsigned
    {"X-Slack-Signature": "v0=" + "0" * 64, "X-Slack-Request-Timestamp": "now"},  # malformed
    "wrong-secret",
    "stale",  # correctly signed, but ten minutes old: a replay
], ids=["unsigned", "malformed", "wrong-secret", "replayed"])
def test_a_request_not_signed_by_slack_is_rejected(channel_server, slack_api, user, headers):
    channel = "D" + user[1:]
    body = event_body(user, channel, "my husband has MS and his back hurts")
    if headers == "wrong-secret":
        headers = signed_headers(body, secret="not-the-signing-secret")
    elif headers == "stale":
        headers = signed_headers(body, timestamp=int(time.time()) - 600)
    else:
        headers = {"Content-Type": "application/json", **headers}
    response = requests.post(webhook(channel_server), data=body, headers=headers, timeout=10)
    assert 400 <= response.status_code < 500
    time.sleep(2)
    assert slack_api.of("chat.postMessage", channel=channel) == []
    assert channel_server.tracker(f"slack:{user}")["events"] in ([], None) or not any(
        e.get("event") == "user" for e in channel_server.tracker(f"slack:{user}")["events"])


def test_the_request_url_check_is_answered_only_when_signed(channel_server):
    body = json.dumps({"token": "legacy", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmd",
                       "type": "url_verification"}).encode()
    response = requests.post(webhook(channel_server), data=body, headers=signed_headers(body), timeout=10)
    assert response.status_code == 200
    assert response.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmd"}
    unsigned = requests.post(webhook(channel_server), data=body, headers={"Content-Type": "application/json"},
                             timeout=10)
    assert unsigned.status_code == 400


def test_the_bots_own_messages_are_not_answered(channel_server, slack_api, user):
    channel = "D" + user[1:]
    body = json.loads(event_body(user, channel, "Seek care now. Back pain with this warning sign"))
    body["event"]["bot_id"] = "B0BACKLINE"
    raw = json.dumps(body).encode()
    response = requests.post(webhook(channel_server), data=raw, headers=signed_headers(raw), timeout=10)
    assert response.status_code == 200
    time.sleep(2)
    assert slack_api.of("chat.postMessage", channel=channel) == []


def test_a_replayed_signed_request_is_refused(channel_server, slack_api, user):
    """Correctly signed and within Slack's five minutes, but already seen: a replay by whoever captured it."""
    channel = "D" + user[1:]
    body = event_body(user, channel, "my husband has MS and his back hurts")
    headers = signed_headers(body)
    first = requests.post(webhook(channel_server), data=body, headers=headers, timeout=10)
    assert first.status_code == 200
    slack_api.wait_for("chat.postMessage", channel=channel)
    slack_api.settle()
    answered = len(slack_api.of("chat.postMessage", channel=channel))
    again = requests.post(webhook(channel_server), data=body, headers=headers, timeout=10)
    assert again.status_code == 400
    time.sleep(2)
    assert len(slack_api.of("chat.postMessage", channel=channel)) == answered


def test_a_slack_user_id_sent_as_a_rest_sender_reaches_nothing(channel_server, slack_api, user):
    channel = "D" + user[1:]
    say(channel_server, slack_api, user, channel, "my husband has MS and his back hurts")
    for sender in (user, f"slack:{user}"):
        response = requests.post(f"{channel_server.url}/webhooks/rest/webhook", timeout=60,
                                 json={"sender": sender, "message": "/request_summary"})
        assert response.status_code == 400 or "MS" not in json.dumps(response.json()), sender
    assert channel_server.tracker(user)["events"] in ([], None) or not any(
        e.get("event") == "user" and "MS" in (e.get("text") or "") for e in channel_server.tracker(user)["events"])
