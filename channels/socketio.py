"""socket.io for the website widget: Rasa's SocketIOInput with two fixes for this install.

1. Rasa 3.6's `session_request` handler calls `sio.enter_room(...)` without `await`; in python-socketio
   5.18 (the pinned set) enter_room is a coroutine, so it never ran: with `session_persistence: true`
   the bot's replies went to a room nobody was in and the widget showed nothing. The handler is
   registered again here, awaiting it.
2. Sanic 21.12's websocket code fails on Python 3.11 ("Passing coroutines is forbidden"), so a client
   that upgrades to a websocket is left with a broken connection. The server offers long-polling only;
   socket.io clients (rasa-webchat included) use it without any setting. Behind a load balancer,
   long-polling needs sticky sessions.

Settings in credentials.yml are Rasa's own (user_message_evt, bot_message_evt, session_persistence,
socketio_path, jwt_key, ...). name() stays "socketio".
"""
from __future__ import annotations

import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

logger = logging.getLogger(__name__)


class WebChatSocketIO(SocketIOInput):
    """`channels.socketio.WebChatSocketIO` in credentials.yml."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        socketio_webhook = super().blueprint(on_new_message)
        sio = self.sio
        sio.eio.transports = ["polling"]
        sio.eio.allow_upgrades = False

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            data = data if isinstance(data, dict) else {}
            if not data.get("session_id"):
                data["session_id"] = uuid.uuid4().hex
            if self.session_persistence:
                await sio.enter_room(sid, data["session_id"], namespace=self.namespace)
            await sio.emit("session_confirm", data["session_id"], room=sid, namespace=self.namespace)
            logger.debug(f"User {sid} connected to socketIO endpoint.")

        return socketio_webhook
