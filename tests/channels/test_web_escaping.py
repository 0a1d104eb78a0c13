"""Bot text is never rendered as HTML on the website: a stand-in socket.io server (the same events as
Rasa's socketio channel) sends hostile text to the real page in Debian's chromium."""
from __future__ import annotations

import asyncio
import re
import threading

import pytest
import socketio
from aiohttp import web

from harness.servers import free_port
from tests.channels.conftest import serving_page

pytestmark = pytest.mark.e2e

HOSTILE = ("<img src=x onerror=\"document.title='pwned-img'\"> <script>document.title='pwned-script'</script> "
           "**bold** [click me](javascript:document.title='pwned-link') [a source](https://www.nhs.uk/)")
HOSTILE_BUTTON = "<b onmouseover=\"document.title='pwned-button'\">Not sure</b>"


class FakeRasaSocketIO:
    """Answers every user message with HOSTILE text and a quick reply with a hostile title."""

    def __init__(self) -> None:
        self.port = free_port()
        self.ready = threading.Event()

    def run(self) -> None:
        self.loop = asyncio.new_event_loop()
        sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*")
        app = web.Application()
        sio.attach(app)

        @sio.on("session_request")
        async def session_request(sid, data):
            await sio.emit("session_confirm", (data or {}).get("session_id") or "fake-session", room=sid)

        @sio.on("user_uttered")
        async def user_uttered(sid, data):
            await sio.emit("bot_uttered", {"text": HOSTILE}, room=sid)
            await sio.emit("bot_uttered", {"text": "Pick one", "quick_replies": [
                {"content_type": "text", "title": HOSTILE_BUTTON, "payload": "not sure"}]}, room=sid)

        self.runner = web.AppRunner(app, access_log=None)
        self.loop.run_until_complete(self.runner.setup())
        self.loop.run_until_complete(web.TCPSite(self.runner, "127.0.0.1", self.port).start())
        self.ready.set()
        self.loop.run_forever()
        self.loop.run_until_complete(self.runner.cleanup())

    def __enter__(self):
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()
        assert self.ready.wait(10)
        return self

    def __exit__(self, *exc):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def test_hostile_bot_text_is_shown_as_text(browser, tmp_path):
    with FakeRasaSocketIO() as fake, serving_page(tmp_path, free_port(), f"http://127.0.0.1:{fake.port}") as web_page:
        context = browser.new_context()
        context.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
        page = context.new_page()
        try:
            page.goto(f"{web_page}?server=http://127.0.0.1:{fake.port}")
            message = page.locator(".rw-response", has_text="click me")
            message.wait_for(timeout=20_000)
            page.locator(".rw-reply").first.wait_for(timeout=20_000)
            page.wait_for_timeout(500)

            assert "<img src=x onerror=" in message.inner_text()  # shown as the characters it is
            assert "<script>" in message.inner_text()
            assert message.locator("img, script").count() == 0
            assert message.locator("strong").inner_text() == "bold"  # Markdown still works
            hostile_link = message.locator("a", has_text="click me")
            assert hostile_link.get_attribute("href") is None  # a javascript: link loses its target
            assert message.locator("a", has_text="a source").get_attribute("href") == "https://www.nhs.uk/"

            reply = page.locator(".rw-reply").first
            assert reply.inner_text() == HOSTILE_BUTTON and reply.locator("b").count() == 0
            reply.hover()
            hostile_link.click()
            page.wait_for_timeout(300)
            assert page.title() == "Backline: back pain in ALS and MS, for caregivers"
        finally:
            context.close()
