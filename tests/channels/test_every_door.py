"""Every spelling of a channel's path checks that channel's secret, against the real servers (issue 23).

Sanic's router matches /webhook/ as /webhook, and other spellings may reach a handler too: a forged update on
any of them must be refused and leave nothing stored. Rasa's unauthenticated management route (Telegram's
set_webhook) is gone."""
from __future__ import annotations

import time
import uuid

import pytest
import requests

from tests.channels.test_slack import event_body
from tests.channels.test_telegram import SECRET, chat, message_update

pytestmark = pytest.mark.e2e

# Spellings of one path: a trailing slash, doubled slashes, another case, percent-encoding, dot segments, a query.
SPELLINGS = ["{p}/webhook/", "{p}//webhook", "/{p}/webhook", "{p}/webhook//", "{p}/Webhook", "{p}/WEBHOOK",
             "{p}/%77ebhook", "{p}/webhook%2F", "{p}/./webhook", "{p}/x/../webhook", "{p}/webhook?x=1",
             "{p}/webhook/?x=1", "{p}/webhook/."]
TELEGRAM = "/webhooks/telegram"
SLACK = "/webhooks/slack"


def raw_post(server, path: str, **kwargs) -> requests.Response:
    """POSTs to exactly this path: requests would otherwise tidy some spellings."""
    session = requests.Session()
    request = requests.Request("POST", server.url + "/", **kwargs).prepare()
    request.url = server.url + path
    return session.send(request, timeout=30)


def user_events(server, conversation: str) -> list:
    return [e for e in server.tracker(conversation)["events"] if e.get("event") == "user"]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_a_forged_telegram_update_is_refused_on_every_spelling_of_the_path(channel_server, telegram_api, spelling):
    person = chat()
    response = raw_post(channel_server, spelling.format(p=TELEGRAM),
                        json=message_update(person, "my wife has MS and her back hurts, delete my conversation"))
    assert response.status_code in (403, 404, 405), (response.status_code, response.text[:200])
    time.sleep(1)
    assert telegram_api.of("sendMessage", chat_id=person["id"]) == [], "the forged update was answered"
    assert user_events(channel_server, f"telegram:{person['id']}") == [], "the forged update was stored"


@pytest.mark.parametrize("spelling", ["{p}/webhook/", "{p}//webhook", "{p}/webhook?x=1"])
def test_the_real_telegram_with_its_secret_still_gets_through(channel_server, telegram_api, spelling):
    person = chat()
    response = raw_post(channel_server, spelling.format(p=TELEGRAM), headers=SECRET,
                        json=message_update(person, "my wife has MS and her back hurts"))
    if response.status_code == 404:
        return  # a spelling the router does not serve at all: refused for everyone alike
    assert response.status_code == 200, response.text[:200]
    telegram_api.wait_for("sendMessage", chat_id=person["id"])


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("path", ["/set_webhook", "/set_webhook/", "//set_webhook", "/Set_Webhook"])
def test_telegrams_set_webhook_route_is_gone(channel_server, telegram_api, method, path):
    before = len(telegram_api.of("setWebhook"))
    response = requests.request(method, channel_server.url + TELEGRAM + path, timeout=30)
    assert response.status_code in (403, 404, 405), (response.status_code, response.text[:200])
    time.sleep(0.5)
    assert len(telegram_api.of("setWebhook")) == before, "an anonymous request re-registered the webhook"


def test_a_telegram_get_on_the_webhook_is_not_a_server_error(channel_server):
    for path in ("/webhook", "/webhook/"):
        response = requests.get(channel_server.url + TELEGRAM + path, headers=SECRET, timeout=30)
        assert response.status_code < 500, (path, response.status_code)


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_an_unsigned_slack_event_is_refused_on_every_spelling_of_the_path(channel_server, slack_api, spelling):
    user = "U" + uuid.uuid4().hex[:9].upper()
    channel = "D" + user[1:]
    body = event_body(user, channel, "my wife has MS and her back hurts")
    response = raw_post(channel_server, spelling.format(p=SLACK), data=body,
                        headers={"Content-Type": "application/json", "X-Slack-Request-Timestamp": str(int(time.time())),
                                 "X-Slack-Signature": "v0=" + "0" * 64})
    assert response.status_code in (400, 401, 403, 404, 405), (response.status_code, response.text[:200])
    time.sleep(1)
    assert slack_api.of("chat.postMessage", channel=channel) == []
    assert user_events(channel_server, f"slack:{user}") == []


@pytest.mark.parametrize("path", ["/webhooks/rest/diary/chart.png/", "/webhooks/rest/diary//chart.png",
                                  "/webhooks/rest//diary/chart.png", "/webhooks/rest/%64iary/chart.png",
                                  "/webhooks/rest/diary/chart.png?token=forged"])
def test_the_diary_files_need_a_valid_link_on_every_spelling(channel_server, path):
    response = requests.get(channel_server.url + path, timeout=30)
    assert response.status_code in (403, 404, 405), (path, response.status_code)
    assert not response.content.startswith(b"\x89PNG")
