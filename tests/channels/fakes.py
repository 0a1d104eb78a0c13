"""Local stand-ins for the Slack Web API and the Telegram Bot API, on 127.0.0.1 and a free port.

Each fake is a small aiohttp server in a background thread that answers like the real API and records
every call (method name, headers, parameters) so a test can assert on what Backline sent. Files sent as
multipart parts (Telegram's sendPhoto, sendDocument) are recorded as bytes in `params`; bytes posted to
Slack's upload URL (files.getUploadURLExternal) are recorded as calls of the method "upload".
"""
from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional

from aiohttp import web

from harness.servers import free_port


@dataclass
class Call:
    method: str  # the API method: chat.postMessage, sendMessage, getMe, ...
    headers: Dict[str, str]
    params: Dict[str, Any]


@dataclass
class FakeAPI:
    """Records calls to POST/GET <prefix><method> and answers with `answer(method, params)`."""

    prefix: str
    answer: Callable[[str, Dict[str, Any]], Dict[str, Any]]
    port: int = field(default_factory=free_port)
    calls: List[Call] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._runner: Optional[web.AppRunner] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _handle(self, request: web.Request) -> web.Response:
        path = request.path
        if path.startswith(UPLOAD_PATH):  # Slack's step 2: the file's bytes, to the URL it handed out
            with self._lock:
                self.calls.append(Call("upload", dict(request.headers),
                                       {"file_id": path[len(UPLOAD_PATH):], "data": await request.read()}))
            return web.Response(text="OK - 200")
        if not path.startswith(self.prefix):
            return web.json_response({"ok": False, "error": "unknown_path"}, status=404)
        method = path[len(self.prefix):].rsplit("/", 1)[-1]
        params: Dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                params.update(await request.json())
            else:
                for key, value in (await request.post()).items():
                    if isinstance(value, str):
                        params[key] = value
                    elif hasattr(value, "file"):  # a multipart file part
                        params[key] = value.file.read()
                        params[f"{key}.filename"] = value.filename
        with self._lock:
            self.calls.append(Call(method, dict(request.headers), params))
        return web.json_response(self.answer(method, params))

    def _serve(self) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(self._runner.setup())
        self._loop.run_until_complete(web.TCPSite(self._runner, "127.0.0.1", self.port).start())
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._runner.cleanup())
        self._loop.close()

    def start(self) -> "FakeAPI":
        self._thread = threading.Thread(target=self._serve, name=f"fake-api-{self.port}", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("fake API did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    def of(self, method: str, **match: Any) -> List[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method
                    and all(str(c.params.get(k)) == str(v) for k, v in match.items())]

    def wait_for(self, method: str, count: int = 1, timeout: float = 60, **match: Any) -> List[Call]:
        """The calls of `method` (matching `match`), once there are at least `count` of them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.of(method, **match)
            if len(found) >= count:
                return found
            time.sleep(0.2)
        raise AssertionError(f"{method} {match or ''} called {len(self.of(method, **match))} times, "
                             f"wanted {count}; all calls: {[c.method for c in self.calls]}")

    def settle(self, quiet: float = 1.5, timeout: float = 60) -> None:
        """Waits until no new call has arrived for `quiet` seconds (the bot has finished its turn)."""
        deadline = time.monotonic() + timeout
        seen, since = len(self.calls), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.2)
            if len(self.calls) != seen:
                seen, since = len(self.calls), time.monotonic()
            elif time.monotonic() - since >= quiet:
                return
        raise AssertionError("the bot kept calling the API")


UPLOAD_PATH = "/upload/v1/"


def fake_slack() -> FakeAPI:
    """Slack's Web API: https://slack.com/api/<method>, JSON answers with "ok"; file uploads by the v2 flow
    (files.getUploadURLExternal, the bytes to the upload URL, files.completeUploadExternal)."""
    counter = iter(range(1, 10**6))
    fake: FakeAPI

    def answer(method: str, params: Dict[str, Any]) -> Dict[str, Any]:
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(counter):08d}"
            return {"ok": True, "file_id": file_id, "upload_url": f"{fake.url}{UPLOAD_PATH}{file_id}"}
        if method == "files.completeUploadExternal":
            files = params.get("files")
            files = json.loads(files) if isinstance(files, str) else files or []
            return {"ok": True, "files": [{"id": f.get("id"), "title": f.get("title")} for f in files]}
        if method == "chat.postMessage":
            return {"ok": True, "channel": params.get("channel"), "ts": f"1700000000.{next(counter):06d}",
                    "message": {"type": "message", "text": params.get("text", ""), "bot_id": "B0BACKLINE"}}
        if method == "auth.test":
            return {"ok": True, "user_id": "U0BACKLINE", "bot_id": "B0BACKLINE"}
        return {"ok": True}

    fake = FakeAPI("/api/", answer)
    return fake


TELEGRAM_BOT = {"id": 123456, "is_bot": True, "first_name": "Backline", "username": "backline_test_bot"}


def fake_telegram(token: str) -> FakeAPI:
    """Telegram's Bot API: https://api.telegram.org/bot<token>/<method>, answers {"ok": true, "result": ...}."""
    counter = iter(range(1, 10**6))

    def answer(method: str, params: Dict[str, Any]) -> Dict[str, Any]:
        method = method.lower()
        if method == "getme":
            return {"ok": True, "result": TELEGRAM_BOT}
        if method in ("setwebhook", "deletewebhook"):
            return {"ok": True, "result": True, "description": "Webhook was set"}
        if method in ("sendphoto", "senddocument"):
            kind = "photo" if method == "sendphoto" else "document"
            message = {"message_id": next(counter), "date": int(time.time()), "from": TELEGRAM_BOT,
                       "chat": {"id": int(params.get("chat_id", 0)), "type": "private"}}
            message[kind] = ([{"file_id": f"P{next(counter)}", "file_unique_id": "u", "width": 1, "height": 1}]
                             if kind == "photo" else {"file_id": f"D{next(counter)}", "file_unique_id": "u"})
            return {"ok": True, "result": message}
        if method == "sendmessage":
            message = {"message_id": next(counter), "date": int(time.time()), "from": TELEGRAM_BOT,
                       "chat": {"id": int(params.get("chat_id", 0)), "type": "private"},
                       "text": params.get("text", "")}
            if params.get("reply_markup"):
                message["reply_markup"] = json.loads(params["reply_markup"])
            return {"ok": True, "result": message}
        return {"ok": True, "result": True}

    return FakeAPI(f"/bot{token}/", answer)
