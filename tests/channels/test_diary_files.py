"""The diary's files on every channel, without a model: the REST route on a real Sanic server with the
project's REST channel, and Slack's and Telegram's output channels against their local fakes.

What the actions send (a signed link as an image or an attachment, or inside a text) is what these tests
send; the store is a SQLite file of the test's own."""
from __future__ import annotations

import asyncio
import logging
import re
import threading
import uuid
from datetime import datetime, timezone

import pytest
import requests
from sanic import Sanic

from channels.rest import BacklineRest
from channels.slack import SlackBotAt
from channels.telegram import TelegramOutputAt
from harness.servers import free_port
from ops import diary_store, report_links, settings
from reports.sample import sample_entries
from tests.channels.conftest import SLACK_BOT_TOKEN, TELEGRAM_BOT_TOKEN
from tests.diary_env import isolate

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def diary_env(monkeypatch, tmp_path):
    isolate(monkeypatch, tmp_path)
    monkeypatch.setenv("BACKLINE_SQLITE_PATH", str(tmp_path / "diary.db"))
    monkeypatch.setenv("BACKLINE_RATE_LIMIT", "off")


def keep_diary(conversation: str) -> None:
    store = diary_store.diary_store()
    for entry in sample_entries():
        store.add(conversation, entry)


PAGE_PORT = free_port()
GREETING = "Hello from the diary test (information, not a diagnosis)."


async def bot_turn(message):
    """Stands in for the model and the actions: what the diary actions send for "show the diary"."""
    if message.text == "/greet":
        await message.output_channel.send_text_message(message.sender_id, GREETING)
        return
    if not diary_store.diary_store().entries(message.sender_id):
        keep_diary(message.sender_id)
    await message.output_channel.send_text_message(message.sender_id, "Here is the diary so far.")
    await message.output_channel.send_image_url(message.sender_id,
                                                report_links.link(message.sender_id, "chart.png"))


@pytest.fixture(scope="module")
def rest_server():
    """A Sanic server with Backline's REST and socket.io channels (their blueprints, as `rasa run` mounts
    them, with `--cors` for the page's origin); its base URL. One per test process (Sanic 21.12 cannot
    start a second app in a process); every request reads the settings of the test it serves."""
    from rasa.server import configure_cors

    from channels.socketio import WebChatSocketIO

    app = Sanic(f"diary_{uuid.uuid4().hex[:8]}")
    configure_cors(app, [f"http://127.0.0.1:{PAGE_PORT}"])
    app.blueprint(BacklineRest().blueprint(bot_turn), url_prefix="/webhooks/rest")
    app.blueprint(WebChatSocketIO(session_persistence=True).blueprint(bot_turn))
    port = free_port()
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    def serve():
        asyncio.set_event_loop(loop)
        server = loop.run_until_complete(app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True,
                                                           access_log=True))
        loop.run_until_complete(server.startup())
        loop.run_until_complete(server.before_start())  # CORS and socket.io hook in here, as under `rasa run`
        loop.run_until_complete(server.after_start())
        ready.set()
        loop.run_forever()
        loop.run_until_complete(server.before_stop())
        loop.run_until_complete(server.close())
        loop.run_until_complete(server.after_stop())
        for task in asyncio.all_tasks(loop):  # socket.io's background tasks end with the server
            task.cancel()
        loop.run_until_complete(asyncio.sleep(0.1))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(20)
    yield f"http://127.0.0.1:{port}"
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


def local(url: str, base: str) -> str:
    return base + url[len(settings.public_url()):]


def test_a_signed_link_serves_the_chart_report_and_csv_never_cached(rest_server):
    keep_diary("web:abc123")
    for kind, start, content_type in [("chart.png", PNG, "image/png"), ("report.pdf", b"%PDF", "application/pdf"),
                                      ("diary.csv", b"Date,", "text/csv")]:
        response = requests.get(local(report_links.link("web:abc123", kind), rest_server), timeout=30)
        assert response.status_code == 200, response.text
        assert response.content.startswith(start) and response.headers["content-type"].startswith(content_type)
        assert "no-store" in response.headers["cache-control"]
    csv_text = requests.get(local(report_links.link("web:abc123", "diary.csv"), rest_server), timeout=30).text
    assert csv_text.count("\n") == len(sample_entries()) + 1 and "bad night, spasms, about 7" in csv_text


@pytest.mark.parametrize("sender", ["me", "rest-caregiver-1", "caregiver-with-a-long-random-looking-id-7f3a9c21"])
def test_a_conversation_id_alone_never_opens_a_diary_file(rest_server, sender):
    """Issue 23: a conversation id is a credential, and a short or guessable one ("me") must not open the
    diary by itself: only the signed link the bot sent in that conversation does."""
    keep_diary(sender)
    for kind in ("chart.png", "report.pdf", "diary.csv"):
        response = requests.post(f"{rest_server}/webhooks/rest/diary/{kind}", json={"sender": sender}, timeout=30)
        assert response.status_code == 403 and PNG not in response.content and b"%PDF" not in response.content
        assert b"when," not in response.content
    assert requests.get(local(report_links.link(sender, "chart.png"), rest_server), timeout=30).status_code == 200


@pytest.mark.parametrize("channel", ["cmdline", "socketio", "slack", "telegram", "CMDLINE", ""])
def test_a_rest_client_cannot_pose_as_another_input_channel(rest_server, channel):
    """Issue 23: "cmdline" made the actions write the diary's files to disk and answer with their path."""
    response = requests.post(f"{rest_server}/webhooks/rest/webhook", timeout=30,
                             json={"sender": "rest-caregiver-1", "message": "show the diary", "input_channel": channel})
    assert response.status_code == 400 and "input_channel" in response.json()["error"]
    ok = requests.post(f"{rest_server}/webhooks/rest/webhook", timeout=30,
                       json={"sender": "rest-caregiver-1", "message": "hi", "input_channel": "rest"})
    assert ok.status_code == 200


@pytest.mark.parametrize("how", ["no token", "forged", "other kind", "expired", "web id by POST", "not json",
                                 "unknown kind"])
def test_anything_else_is_refused_without_a_crash(rest_server, how):
    keep_diary("web:abc123")
    chart = f"{rest_server}/webhooks/rest/diary/chart.png"
    token = report_links.make_token("web:abc123", "report.pdf")
    old = report_links.make_token("web:abc123", "chart.png", now=datetime.now(timezone.utc).timestamp() - 3600)
    response = {
        "no token": lambda: requests.get(chart, timeout=30),
        "forged": lambda: requests.get(chart, params={"token": "A" * 60}, timeout=30),
        "other kind": lambda: requests.get(chart, params={"token": token}, timeout=30),
        "expired": lambda: requests.get(chart, params={"token": old}, timeout=30),
        "web id by POST": lambda: requests.post(chart, json={"sender": "web:abc123"}, timeout=30),
        "not json": lambda: requests.post(chart, data=b"[[[", timeout=30),
        "unknown kind": lambda: requests.get(f"{rest_server}/webhooks/rest/diary/secrets.txt",
                                             params={"token": token}, timeout=30),
    }[how]()
    assert response.status_code == (404 if how == "unknown kind" else 403)
    assert PNG not in response.content and "no-store" in response.headers["cache-control"]


def test_a_dead_store_is_503_not_500(rest_server, monkeypatch):
    from ops.settings import ConfigError  # noqa: F401 - the store is made on the first request

    monkeypatch.setenv("BACKLINE_DB_URL", f"postgresql://x@127.0.0.1:{free_port()}/x")
    response = requests.get(local(report_links.link("web:abc123", "chart.png"), rest_server), timeout=30)
    assert response.status_code == 503


def test_the_token_is_not_in_the_access_log(rest_server, caplog):
    keep_diary("web:abc123")
    url = local(report_links.link("web:abc123", "chart.png"), rest_server)
    with caplog.at_level(logging.INFO, logger="sanic.access"):
        assert requests.get(url, timeout=30).status_code == 200
    logged = " ".join(f"{r.getMessage()} {getattr(r, 'request', '')}" for r in caplog.records)
    assert "/webhooks/rest/diary/chart.png" in logged  # the request was logged ...
    assert url.split("token=")[1] not in logged         # ... without its token


# --- Slack and Telegram: the file itself, never the link -----------------------------------------------

def test_slack_uploads_the_chart_and_the_report_as_files(slack_api):
    keep_diary("slack:U0ANN")
    bot = SlackBotAt(SLACK_BOT_TOKEN, "D0ANN", api_url=slack_api.url + "/api/")
    before = len(slack_api.calls)
    asyncio.run(bot.send_image_url("slack:U0ANN", report_links.link("slack:U0ANN", "chart.png")))
    asyncio.run(bot.send_text_message("slack:U0ANN", "Here is the report for the visit: "
                                      + report_links.link("slack:U0ANN", "report.pdf")))
    calls = slack_api.calls[before:]
    uploads = [c for c in calls if c.method == "upload"]
    assert len(uploads) == 2
    assert uploads[0].params["data"].startswith(PNG) and uploads[1].params["data"].startswith(b"%PDF")
    done = [c for c in calls if c.method == "files.completeUploadExternal"]
    assert [c.params.get("channel_id") for c in done] == ["D0ANN", "D0ANN"]
    asked = [c.params.get("filename") for c in calls if c.method == "files.getUploadURLExternal"]
    assert asked == ["pain-diary-chart.png", "pain-diary-report.pdf"]
    texts = [c.params.get("text", "") for c in calls if c.method == "chat.postMessage"]
    assert texts == ["Here is the report for the visit:"]  # the words, without the link
    assert not any("localhost" in str(c.params) or "token=" in str(c.params) for c in calls)


def report_as_the_action_sends_it(conversation: str) -> dict:
    """actions/diary.py: the report's words name the link, and the same link comes as a file attachment."""
    url = report_links.link(conversation, "report.pdf")
    return {"text": f"Here is the report for the care team (PDF; its first page is the summary): {url}",
            "attachment": {"type": "file", "url": url, "name": "backline-care-team-report.pdf"}}


def test_slack_uploads_the_report_as_the_action_sends_it_once_without_its_link(slack_api):
    """Found through the real dialogue: the attachment's link went to Slack as it was."""
    keep_diary("slack:U0CAR")
    bot = SlackBotAt(SLACK_BOT_TOKEN, "D0CAR", api_url=slack_api.url + "/api/")
    before = len(slack_api.calls)
    asyncio.run(bot.send_response("slack:U0CAR", report_as_the_action_sends_it("slack:U0CAR")))
    calls = slack_api.calls[before:]
    uploads = [c for c in calls if c.method == "upload"]
    assert len(uploads) == 1 and uploads[0].params["data"].startswith(b"%PDF")
    assert not any("localhost" in str(c.params) or "token=" in str(c.params) for c in calls)


def test_slack_never_delivers_another_conversations_diary(slack_api):
    keep_diary("slack:U0BOB")
    bot = SlackBotAt(SLACK_BOT_TOKEN, "D0ANN", api_url=slack_api.url + "/api/")
    before = len(slack_api.calls)
    asyncio.run(bot.send_image_url("slack:U0ANN", report_links.link("slack:U0BOB", "chart.png")))
    calls = slack_api.calls[before:]
    assert not [c for c in calls if c.method == "upload"]
    assert [c.method for c in calls] == ["chat.postMessage"] and "no longer available" in calls[0].params["text"]


async def closing(bot, *sends):
    """Awaits the sends, then closes the bot's HTTP session (each asyncio.run has its own loop)."""
    try:
        for send in sends:
            await send
    finally:
        if bot._session is not None:
            await bot._session.close()


def test_telegram_sends_the_chart_as_a_photo_and_the_report_as_a_document(telegram_api):
    keep_diary("telegram:4242")
    bot = TelegramOutputAt(TELEGRAM_BOT_TOKEN, telegram_api.url)
    before = len(telegram_api.calls)
    asyncio.run(closing(bot, bot.send_response("telegram:4242", {"text": "Your diary:", "image": report_links.link(
        "telegram:4242", "chart.png")}), bot.send_attachment("telegram:4242", report_links.link("telegram:4242",
                                                                                               "report.pdf"))))
    calls = telegram_api.calls[before:]
    photos = [c for c in calls if c.method.lower() == "sendphoto"]
    documents = [c for c in calls if c.method.lower() == "senddocument"]
    assert len(photos) == 1 and photos[0].params["photo"].startswith(PNG) and photos[0].params["chat_id"] == "4242"
    assert len(documents) == 1 and documents[0].params["document"].startswith(b"%PDF")
    assert documents[0].params["document.filename"] == "pain-diary-report.pdf"
    assert not any("localhost" in str(c.params) or "token=" in str(c.params) for c in calls)


def test_telegram_sends_the_report_as_the_action_sends_it_once_without_its_link(telegram_api):
    keep_diary("telegram:4343")
    before = len(telegram_api.calls)
    bot = TelegramOutputAt(TELEGRAM_BOT_TOKEN, telegram_api.url)
    asyncio.run(closing(bot, bot.send_response("telegram:4343", report_as_the_action_sends_it("telegram:4343"))))
    calls = telegram_api.calls[before:]
    documents = [c for c in calls if c.method.lower() == "senddocument"]
    assert len(documents) == 1 and documents[0].params["document"].startswith(b"%PDF")
    assert not any("localhost" in str(c.params) or "token=" in str(c.params) for c in calls)


def test_the_page_may_show_images_from_its_rasa_server():
    from ops.webpage import page_for

    page = page_for(["http://127.0.0.1:5005"]).decode()
    policy = page.split('http-equiv="Content-Security-Policy"', 1)[1].split(">", 1)[0]
    assert "img-src 'self' data: http://127.0.0.1:5005;" in policy
    assert "connect-src 'self' http://127.0.0.1:5005;" in policy


@pytest.mark.e2e  # a real browser, like the other widget tests (no model needed: runs in seconds)
def test_the_web_widget_shows_the_chart_from_the_rasa_server(rest_server, tmp_path, monkeypatch):
    """The real page (ops/webpage.py, its CSP) and widget, the real socket.io channel: the chart arrives as
    an image link to the Rasa server's own route, and the browser loads and shows it. (The README's picture
    comes from the real dialogue: test_diary_dialogue.py.)"""
    from playwright.sync_api import sync_playwright

    from tests.channels.conftest import CHROMIUM, CHROMIUM_ARGS, serving_page

    monkeypatch.setenv("BACKLINE_PUBLIC_URL", rest_server)
    # Its own browser, closed before the next test: Playwright's sync API holds an event loop on this thread
    # while it runs, and the tests after this one call asyncio.run().
    with serving_page(tmp_path, PAGE_PORT, rest_server) as page_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            show_the_diary(browser, page_url, rest_server)
        finally:
            browser.close()


def show_the_diary(browser, page_url, rest_server):
    context = browser.new_context(viewport={"width": 1100, "height": 1000}, device_scale_factor=1)
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
    page = context.new_page()
    refused, console = [], []
    page.on("console", lambda message: refused.append(message.text)
            if "img-src" in message.text else console.append(message.text))
    page.on("requestfailed", lambda request: console.append(f"failed: {request.url} {request.failure}"))
    try:
        page.goto(page_url)
        try:
            page.locator(".rw-response", has_text="not a diagnosis").wait_for(timeout=30_000)
        except Exception:
            raise AssertionError(f"no greeting; console: {console + refused}") from None
        box = page.get_by_role("textbox", name="Your message to Backline")
        box.focus()
        page.keyboard.type("show the diary")
        page.keyboard.press("Enter")
        image = page.locator("img[src*='/webhooks/rest/diary/chart.png']")
        image.wait_for(timeout=30_000)
        page.wait_for_timeout(1000)
        assert image.evaluate("img => img.complete && img.naturalWidth") > 500  # loaded, not a broken icon
        assert image.get_attribute("src").startswith(rest_server + "/webhooks/rest/diary/chart.png?token=")
        assert refused == []
    finally:
        context.close()


def test_the_route_is_mounted_by_the_channels_credentials_yml_names():
    from tests.channels.test_channel_config import channels_from_credentials, routes

    assert "/webhooks/rest/diary/<kind:str>" in routes(channels_from_credentials())
