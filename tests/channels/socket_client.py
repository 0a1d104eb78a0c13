"""A socket.io client that behaves as the web widget (rasa-webchat) does, for tests against the real server."""
from __future__ import annotations

import threading
import time

import socketio


class Browser:
    """A socket.io client as the web widget uses it: session_request, then user_uttered messages."""

    def __init__(self, url: str, headers: dict = None) -> None:
        self.heard: list = []
        self.session = None
        self.confirmed = threading.Event()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("bot_uttered", lambda data: self.heard.append(data.get("text")))
        self.sio.on("session_confirm", self._confirm)
        self.sio.connect(url, transports=["polling"], wait_timeout=30, headers=headers or {})

    def _confirm(self, session):
        self.session = session
        self.confirmed.set()

    def start(self, session_id=None) -> str:
        self.confirmed.clear()
        self.sio.emit("session_request", {"session_id": session_id})
        assert self.confirmed.wait(30), "no session_confirm"
        return self.session

    def say(self, text: str, session_id=None, timeout: float = 60) -> list:
        before = len(self.heard)
        self.sio.emit("user_uttered", {"message": text, "session_id": session_id or self.session})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.heard) == before:
            time.sleep(0.2)
        time.sleep(1.5)  # the rest of the turn's messages
        return self.heard[before:]

    def close(self) -> None:
        self.sio.disconnect()
