"""Telegram, end to end on loopback: real-shaped updates posted to the running Rasa server; the Bot API
(setWebhook at start, getMe and sendMessage per update) is a local fake that records every call."""
from __future__ import annotations

import json
import random
import time

import pytest
import requests

from tests.channels.conftest import TELEGRAM_SECRET_TOKEN, TELEGRAM_WEBHOOK_URL

pytestmark = pytest.mark.e2e

SECRET = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET_TOKEN}


def webhook(server) -> str:
    return f"{server.url}/webhooks/telegram/webhook"


def chat() -> dict:
    return {"id": random.randint(10**8, 10**9), "first_name": "Sam", "type": "private"}


def message_update(person: dict, text: str) -> dict:
    return {"update_id": random.randint(10**6, 10**7), "message": {
        "message_id": random.randint(1, 10**5), "date": int(time.time()), "text": text,
        "from": {"id": person["id"], "is_bot": False, "first_name": person["first_name"], "language_code": "en"},
        "chat": person}}


def button_update(person: dict, data: str, question: dict) -> dict:
    return {"update_id": random.randint(10**6, 10**7), "callback_query": {
        "id": str(random.randint(10**9, 10**10)), "chat_instance": "-42", "data": data,
        "from": {"id": person["id"], "is_bot": False, "first_name": person["first_name"]},
        "message": question}}


def post(server, telegram_api, person, update, headers=SECRET):
    before = len(telegram_api.of("sendMessage", chat_id=person["id"]))
    response = requests.post(webhook(server), json=update, headers=headers, timeout=60)
    assert response.status_code == 200, response.text
    telegram_api.wait_for("sendMessage", count=before + 1, chat_id=person["id"])
    telegram_api.settle()
    return telegram_api.of("sendMessage", chat_id=person["id"])[before:]


def keyboard_of(call):
    markup = call.params.get("reply_markup")
    return json.loads(markup).get("inline_keyboard") if markup else None


def test_the_webhook_was_registered_with_the_fake_at_start(channel_server, telegram_api):
    calls = telegram_api.wait_for("setWebhook", timeout=10)
    assert calls[0].params["url"] == TELEGRAM_WEBHOOK_URL
    assert calls[0].params["secret_token"] == TELEGRAM_SECRET_TOKEN


def test_a_message_gets_the_bots_question(channel_server, telegram_api):
    person = chat()
    get_me_before = len(telegram_api.of("getMe"))
    replies = post(channel_server, telegram_api, person, message_update(person, "my wife has MS and her back hurts"))
    assert len(telegram_api.of("getMe")) > get_me_before, "the update is checked with getMe, on the fake"
    assert replies[-1].params["text"].rstrip().endswith("?")
    # the chat id, namespaced, is the conversation id
    slots = channel_server.tracker(f"telegram:{person['id']}")["slots"]
    assert slots["condition"] == "ms"


def test_a_button_question_arrives_as_an_inline_keyboard_and_a_tap_answers_it(channel_server, telegram_api):
    person = chat()
    replies = post(channel_server, telegram_api, person, message_update(
        person, "my husband has MS, burning stabbing pain in his mid back out of nowhere, worse when he's hot"))
    for _ in range(6):
        if keyboard_of(replies[-1]):
            break
        replies = post(channel_server, telegram_api, person, message_update(person, "not sure"))
    keyboard = keyboard_of(replies[-1])
    assert keyboard, [c.params for c in replies]
    buttons = [b for row in keyboard for b in row]
    assert all(b["text"] and b["callback_data"] for b in buttons)
    asked = channel_server.tracker(f"telegram:{person['id']}")["slots"]["requested_slot"]

    choice = next((b for b in buttons if b["text"] in ("None of these", "Not sure")), buttons[-1])
    question = {"message_id": 7, "date": int(time.time()), "chat": person, "text": replies[-1].params["text"]}
    after = post(channel_server, telegram_api, person, button_update(person, choice["callback_data"], question))
    assert after
    slots = channel_server.tracker(f"telegram:{person['id']}")["slots"]
    assert slots["requested_slot"] != asked or slots["triage"] is not None


def test_a_red_flag_in_telegram_escalates(channel_server, telegram_api):
    person = chat()
    replies = post(channel_server, telegram_api, person, message_update(
        person, "mum has MS and since yesterday she can't feel her legs properly and has a fever"))
    assert replies[0].params["text"].startswith("Seek care now.")


@pytest.mark.parametrize("headers", [{}, {"X-Telegram-Bot-Api-Secret-Token": "guess"}],
                         ids=["no-secret", "wrong-secret"])
def test_an_update_without_the_secret_token_is_refused(channel_server, telegram_api, headers):
    person = chat()
    response = requests.post(webhook(channel_server), json=message_update(person, "my wife has MS and her back hurts"),
                             headers=headers, timeout=10)
    assert response.status_code == 403
    time.sleep(2)
    assert telegram_api.of("sendMessage", chat_id=person["id"]) == []
