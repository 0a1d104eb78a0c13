"""Channel configuration without any server: which channels credentials.yml turns on with and without
their environment variables, the routes they register, what their outgoing messages look like, and
the website's static checks. Fast: part of the unit stage."""
from __future__ import annotations

import asyncio
import json
import logging
import re
import uuid

import pytest
import rasa.core.channels.channel
import yaml
from rasa.core.run import create_http_input_channels
from sanic import Sanic

from channels import ChannelOff
from channels.slack import SlackBotAt, SlackFromEnv
from channels.socketio import WebChatSocketIO
from channels.telegram import TelegramFromEnv, TelegramOutputAt
from harness.servers import ROOT
from tests.channels.fakes import fake_slack, fake_telegram

CHANNEL_VARS = ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_CHANNEL", "SLACK_API_URL", "TELEGRAM_BOT_TOKEN",
                "TELEGRAM_BOT_USERNAME", "TELEGRAM_WEBHOOK_URL", "TELEGRAM_SECRET_TOKEN", "TELEGRAM_API_URL"]
ALL_SET = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s3cret", "TELEGRAM_BOT_TOKEN": "123:abc",
           "TELEGRAM_BOT_USERNAME": "@backline_bot", "TELEGRAM_WEBHOOK_URL": "https://x.example/webhooks/telegram/webhook",
           "TELEGRAM_SECRET_TOKEN": "a1b2c3d4e5f6"}
BUTTONS = [{"title": "None of these", "payload": "none of these"}, {"title": "Not sure", "payload": "not sure"}]


@pytest.fixture
def no_channel_env(monkeypatch):
    for name in CHANNEL_VARS:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def channels_from_credentials():
    return create_http_input_channels(None, str(ROOT / "credentials.yml"))


def routes(channels):
    app = Sanic(f"backline_test_{uuid.uuid4().hex[:8]}")
    rasa.core.channels.channel.register(channels, app, route="/webhooks/")
    return {"/" + route.path.lstrip("/") for route in app.router.routes}


def test_credentials_hold_no_secret():
    text = (ROOT / "credentials.yml").read_text()
    assert not re.search(r"xox[bap]-|\d{6,}:[\w-]{20,}|signing_secret:\s*\S", text)
    config = yaml.safe_load(text)
    assert config["channels.slack.SlackFromEnv"] is None and config["channels.telegram.TelegramFromEnv"] is None


def test_without_variables_slack_and_telegram_are_off_with_a_clear_log_line(no_channel_env, caplog):
    with caplog.at_level(logging.WARNING):
        channels = channels_from_credentials()
    names = [c.name() for c in channels]
    assert names == ["rest", "socketio", "slack", "telegram"]
    assert isinstance(channels[1], WebChatSocketIO)
    assert all(isinstance(c, ChannelOff) for c in channels[2:])
    assert "Slack channel off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET" in caplog.text
    assert ("Telegram channel off: set TELEGRAM_BOT_TOKEN, TELEGRAM_BOT_USERNAME, TELEGRAM_WEBHOOK_URL and "
            "TELEGRAM_SECRET_TOKEN") in caplog.text
    paths = routes(channels)
    assert "/webhooks/rest/webhook" in paths
    assert not any(p.startswith(("/webhooks/slack", "/webhooks/telegram")) for p in paths)


def test_one_missing_variable_is_named(no_channel_env, caplog):
    no_channel_env.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    with caplog.at_level(logging.WARNING):
        assert isinstance(SlackFromEnv.from_credentials(None), ChannelOff)
    assert "(missing: SLACK_SIGNING_SECRET)" in caplog.text


def test_telegram_without_a_secret_token_is_off(no_channel_env, caplog):
    for name, value in ALL_SET.items():
        no_channel_env.setenv(name, value)
    no_channel_env.delenv("TELEGRAM_SECRET_TOKEN")
    with caplog.at_level(logging.WARNING):
        assert isinstance(TelegramFromEnv.from_credentials(None), ChannelOff)
    assert caplog.text.count("Telegram channel off") == 1 and "(missing: TELEGRAM_SECRET_TOKEN)" in caplog.text


def test_with_variables_both_channels_listen_on_rasas_usual_webhooks(no_channel_env):
    for name, value in ALL_SET.items():
        no_channel_env.setenv(name, value)
    channels = channels_from_credentials()
    slack, telegram = channels[2], channels[3]
    assert isinstance(slack, SlackFromEnv) and slack.slack_signing_secret == "s3cret"
    assert isinstance(telegram, TelegramFromEnv) and telegram.verify == "backline_bot"
    assert telegram.webhook_url == ALL_SET["TELEGRAM_WEBHOOK_URL"]
    paths = routes(channels)  # builds the blueprints: no call to Telegram or Slack happens here
    assert {"/webhooks/slack/webhook", "/webhooks/telegram/webhook"} <= paths


def test_slack_buttons_become_blocks_at_the_configured_api_url():
    fake = fake_slack().start()
    try:
        bot = SlackBotAt("xoxb-test", api_url=fake.url + "/api/")
        asyncio.run(bot.send_text_with_buttons("D123", "Any of these?", BUTTONS))
        (call,) = fake.of("chat.postMessage")
    finally:
        fake.stop()
    assert call.headers["Authorization"] == "Bearer xoxb-test"
    assert call.params["channel"] == "D123" and call.params["text"] == "Any of these?"
    section, actions = call.params["blocks"]
    assert section == {"type": "section", "text": {"type": "plain_text", "text": "Any of these?"}}
    assert [(e["text"]["text"], e["value"]) for e in actions["elements"]] == [
        ("None of these", "none of these"), ("Not sure", "not sure")]


def test_telegram_buttons_become_an_inline_keyboard_at_the_configured_api_url():
    fake = fake_telegram("123456:TEST").start()

    async def send():
        bot = TelegramOutputAt("123456:TEST", fake.url)
        try:
            await bot.send_text_with_buttons("42", "Any of these?", BUTTONS)
        finally:
            await bot.session.close()

    try:
        asyncio.run(send())
        (call,) = fake.of("sendMessage")
    finally:
        fake.stop()
    assert call.params["chat_id"] == "42" and call.params["text"] == "Any of these?"
    keyboard = json.loads(call.params["reply_markup"])["inline_keyboard"]
    assert [(b["text"], b["callback_data"]) for row in keyboard for b in row] == [
        ("None of these", "none of these"), ("Not sure", "not sure")]


# --- the website -----------------------------------------------------------------------------------

WEB = ROOT / "web"


def test_the_widget_is_pinned_and_served_from_the_projects_own_files():
    package = json.loads((WEB / "package.json").read_text())
    assert package["dependencies"] == {"rasa-webchat": "1.0.1"}
    assert set(package["devDependencies"]) == {"axe-core"}  # the browser tests' accessibility check only
    lock = json.loads((WEB / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/rasa-webchat"]["version"] == "1.0.1"
    assert lock["packages"]["node_modules/axe-core"]["version"] == package["devDependencies"]["axe-core"]
    page = (WEB / "index.html").read_text()
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', page)
    # The widget as `make install` writes it from node_modules, without its remote web font (ops/webpage.py).
    assert scripts == ["vendor/rasa-webchat.js", "backline.js"]
    assert "<script>" not in page  # no inline script: the CSP below forbids it
    assert "script-src 'self'" in page


def test_the_page_never_writes_bot_text_as_html():
    script = (WEB / "backline.js").read_text()
    code = "\n".join(line for line in script.splitlines() if not line.lstrip().startswith(("*", "/*", "//")))
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in code


def test_the_pages_source_list_matches_the_knowledge_base():
    sources = yaml.safe_load((ROOT / "bot" / "knowledge" / "sources.yml").read_text())["sources"]
    page = (WEB / "index.html").read_text().replace("&amp;", "&")
    for source_id, source in sources.items():
        assert f'id="source-{source_id}" data-source-title="{source["title"]}"' in page, source_id
        if source.get("url"):
            assert f'href="{source["url"]}"' in page, source_id


def test_every_link_on_the_page_goes_to_a_listed_source_or_a_phone_number():
    """No staging or test site, nothing but https: each web address in web/ is a source's own `url` from the
    knowledge base; the rest are in-page links and the emergency numbers (tel:)."""
    sources = yaml.safe_load((ROOT / "bot" / "knowledge" / "sources.yml").read_text())["sources"]
    listed = {source["url"] for source in sources.values() if source.get("url")}
    for name in ("index.html", "backline.js", "backline.css"):
        text = (WEB / name).read_text().replace("&amp;", "&")
        for url in re.findall(r"""https?://[^\s"'<>)]+""", text):
            if url == "http://www.w3.org/2000/svg":
                continue
            assert url in listed, f"{name} links to {url}, which is not a source in bot/knowledge/sources.yml"
            assert url.startswith("https://") and not re.search(r"staging|preflight|\btest\b|\bdev\b", url), url
    hrefs = re.findall(r'href="([^"]+)"', (WEB / "index.html").read_text())
    assert {href for href in hrefs if href.startswith("tel:")} == {"tel:999", "tel:911", "tel:112"}
    assert all(href.startswith(("https://", "#", "tel:")) or href == "backline.css" for href in hrefs), hrefs
