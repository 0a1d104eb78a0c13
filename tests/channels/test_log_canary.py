"""No message text in the logs: a canary word sent through every channel (REST, the web widget's
socket.io, Slack, Telegram), in ordinary messages, "/" messages with slashes, quotes, apostrophes, newlines
and unicode, a malformed REST body and a refused one,
must not appear in any log line at INFO or above of the Rasa server or the action server."""
from __future__ import annotations

import json
import re
import time
import uuid

import pytest
import requests

from tests.channels.socket_client import Browser
from tests.channels.test_slack import event_body, signed_headers
from tests.channels.test_telegram import SECRET, chat, message_update

pytestmark = pytest.mark.e2e

# Rasa's log lines: "2026-11-29 04:26:47 INFO     logger  - text"; DEBUG lines are not written at the
# default level, but a line without a level (a traceback, a print) counts as INFO or above.
LEVEL = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:,\d+)? (DEBUG|INFO|WARNING|ERROR|CRITICAL)\b")


def shapes(canary: str) -> list:
    """The canary in messages with slashes, quotes, apostrophes, newlines and unicode (Rasa quotes a message
    that starts with "/" in its warnings, and an apostrophe used to end the redaction's quote early)."""
    return [f"my wife has MS {canary} and her back hurts", f"/{canary}", f"/inform{{\"x\": \"{canary}\"}}",
            f"she fell {canary} and can't feel her legs", f"/it's {canary} again", f"/she can't {canary}",
            f"/mum's back, {canary}'s fault", f"/greet@{canary}", f"/first line\nsecond {canary} line",
            f"/ünïcødé {canary} ☃ 😩", f"/\"{canary}\"", f"/'{canary}", f"//{canary}/x", f"/inform{{'{canary}': 1}}",
            f"/inform{{\"{canary}\": \"x\"}}"]


def test_the_canary_reaches_no_log(channel_server, slack_api, telegram_api, tmp_path):
    canary = f"kestrel{uuid.uuid4().hex[:8]}"
    rest = f"{channel_server.url}/webhooks/rest/webhook"
    sender = f"canary-{uuid.uuid4().hex[:8]}"
    for message in shapes(canary):
        assert requests.post(rest, json={"sender": sender, "message": message}, timeout=60).status_code == 200
    requests.post(rest, data=f'{{"sender": "{canary}", "message": ', timeout=30)  # malformed: 400
    requests.post(rest, json={"sender": f"slack:{canary}", "message": canary}, timeout=30)  # refused: 400

    browser = Browser(channel_server.url)
    try:
        browser.start()
        assert browser.say(f"my dad has ALS {canary} and his back aches")
        for message in shapes(canary)[4:9]:
            browser.say(message, timeout=20)
    finally:
        browser.close()

    user = "U" + uuid.uuid4().hex[:9].upper()
    body = event_body(user, "D" + user[1:], f"my husband has MS {canary} and his back hurts")
    assert requests.post(f"{channel_server.url}/webhooks/slack/webhook", data=body, headers=signed_headers(body),
                         timeout=30).status_code == 200
    slack_api.wait_for("chat.postMessage", channel="D" + user[1:])
    for message in shapes(canary)[4:9]:
        body = event_body(user, "D" + user[1:], message)
        requests.post(f"{channel_server.url}/webhooks/slack/webhook", data=body, headers=signed_headers(body),
                      timeout=30)

    person = chat()
    update = message_update(person, f"my wife has MS {canary} and her back hurts")
    assert requests.post(f"{channel_server.url}/webhooks/telegram/webhook", json=update, headers=SECRET,
                         timeout=60).status_code == 200
    telegram_api.wait_for("sendMessage", chat_id=person["id"])
    for message in shapes(canary)[4:9]:
        requests.post(f"{channel_server.url}/webhooks/telegram/webhook", json=message_update(person, message),
                      headers=SECRET, timeout=60)
    time.sleep(2)

    # The text did go through: it is in the stored conversation (the store's job), only not in the logs.
    assert canary in json.dumps(channel_server.tracker(sender)["events"])
    logs = sorted(channel_server.workdir.glob("*.log"))
    assert len(logs) >= 2, logs
    for log in logs:
        level = "INFO"
        for line in log.read_text(errors="replace").splitlines():
            match = LEVEL.match(line)
            level = match.group(1) if match else level  # continuation lines keep their record's level
            assert not (canary in line and level != "DEBUG"), f"{log.name}: {line[:300]}"
