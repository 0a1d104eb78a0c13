"""socket.io for the website widget: Rasa's SocketIOInput with two fixes for this install.

1. Rasa 3.6's `session_request` handler calls `sio.enter_room(...)` without `await`; in python-socketio
   5.18 (the pinned set) enter_room is a coroutine, so it never ran: with `session_persistence: true`
   the bot's replies went to a room nobody was in and the widget showed nothing. The handler is
   registered again here, awaiting it.
2. Sanic 21.12's websocket code fails on Python 3.11 ("Passing coroutines is forbidden"), so a client
   that upgrades to a websocket is left with a broken connection. The server offers long-polling only;
   socket.io clients (rasa-webchat included) use it without any setting. Behind a load balancer,
   long-polling needs sticky sessions.

3. Rasa takes the conversation id from every message's `session_id`, so a browser that sends someone
   else's id joins that room, hears its replies and posts into it. Here the server issues the ids: a
   session_request gets `<id>.<expiry>.<signature>` (HMAC-SHA256 with BACKLINE_WEB_SECRET over the id and its
   expiry, ops/settings.py), the socket is bound to the conversation `web:<id>` and joins only that room, and
   every message of that socket goes to the bound conversation whatever its payload says. A returning browser
   whose stored id carries a valid signature resumes its conversation until the id expires
   (BACKLINE_WEB_SESSION_DAYS after it was issued, default 30: issue 23; before, ids never expired); a forged,
   foreign, expired or old-style id gets a fresh one.
   Messages are checked like REST bodies (type, markup; the length cap is every channel's, channels.guarded)
   and rate-limited per client address: the peer of the socket's HTTP transport, or behind a trusted proxy
   the forwarded address (channels/rate_limit.py; python-engineio's Sanic driver says 127.0.0.1 for all).

Settings in credentials.yml are Rasa's own (user_message_evt, bot_message_evt, session_persistence,
socketio_path, jwt_key, ...). name() stays "socketio".
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from channels import guarded
from channels.rate_limit import TOO_MANY_TEXT, RateLimiter
from channels.rest import clean_text
from ops import settings, web_sessions

logger = logging.getLogger(__name__)

PREFIX = "web:"
ID_BYTES = 16  # 128 random bits: not guessable
SIGNATURE_CHARS = 32  # 128 bits of HMAC-SHA256
MAX_EXPIRY_DIGITS = 12  # Unix seconds until the year 33658


def sign(key: bytes, payload: Text) -> Text:
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()[:SIGNATURE_CHARS]


def issue_session(key: bytes, now: Optional[float] = None, lifetime: Optional[float] = None) -> Text:
    """A new browser session token, `<id>.<expiry>.<signature>` (expiry in Unix seconds, signed with the id);
    its conversation is `web:<id>`. It works for `lifetime` seconds (BACKLINE_WEB_SESSION_DAYS)."""
    lifetime = settings.web_session_seconds() if lifetime is None else lifetime
    session = secrets.token_hex(ID_BYTES)
    body = f"{session}.{int((time.time() if now is None else now) + lifetime)}"
    return f"{body}.{sign(key, body)}"


def verified_session(key: bytes, token: Any, now: Optional[float] = None) -> Optional[Text]:
    """The id inside an unexpired token this server issued, or None (missing, malformed, forged, other key,
    expired, or issued before ids had an expiry)."""
    if not isinstance(token, str) or token.count(".") != 2:
        return None
    session, expires, signature = token.split(".")
    if len(session) != 2 * ID_BYTES or not all(c in "0123456789abcdef" for c in session):
        return None
    if not (expires.isascii() and expires.isdigit()) or len(expires) > MAX_EXPIRY_DIGITS:
        return None
    if not hmac.compare_digest(sign(key, f"{session}.{expires}"), signature):
        return None
    return session if (time.time() if now is None else now) < int(expires) else None


async def revoked(session: Text) -> bool:
    """Whether "delete my conversation" revoked this web id (ops/web_sessions.py); False when the database cannot
    say within BACKLINE_STORE_TIMEOUT (the id's signature and expiry were checked)."""
    from ops.diary_store import diary_store
    from ops.store_guard import StoreUnavailable

    store = diary_store()
    try:
        return await store.run(lambda: web_sessions.is_revoked(store.engine, session))
    except StoreUnavailable as error:
        logger.warning(f"Whether a web id was revoked could not be checked ({error}); it is accepted.")
        return False


class WebChatSocketIO(SocketIOInput):
    """`channels.socketio.WebChatSocketIO` in credentials.yml."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        socketio_webhook = super().blueprint(on_new_message)
        handle = guarded(on_new_message)
        key = settings.web_secret()
        limiter = RateLimiter.from_settings()
        sio = self.sio
        sio.eio.transports = ["polling"]
        sio.eio.allow_upgrades = False
        namespace = self.namespace

        @sio.on("connect", namespace=namespace)
        async def connect(sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
            if self.jwt_key:  # Rasa's optional JWT check, kept
                from rasa.core.channels.channel import decode_bearer_token

                token = (auth or {}).get("token") if isinstance(auth, dict) else None
                if not (token and decode_bearer_token(token, self.jwt_key, self.jwt_algorithm)):
                    return False
            request = environ.get("sanic.request")
            client = limiter.client(request) if limiter is not None and request is not None else None
            await sio.save_session(sid, {"client": client or f"socket:{sid}"}, namespace=namespace)
            return True

        async def bind(sid: Text, token: Text) -> None:
            """Binds the socket to the token's conversation (its room only) and hands the browser the token."""
            session = token.split(".")[0]
            state = await sio.get_session(sid, namespace=namespace)
            previous = state.get("conversation")
            if previous and previous != PREFIX + session:
                await sio.leave_room(sid, previous, namespace=namespace)
            state["conversation"] = PREFIX + session
            await sio.save_session(sid, state, namespace=namespace)
            await sio.enter_room(sid, PREFIX + session, namespace=namespace)
            await sio.emit("session_confirm", token, room=sid, namespace=namespace)

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: Text, data: Any) -> None:
            given = data.get("session_id") if isinstance(data, dict) else None
            session = verified_session(key, given)
            if session is not None and await revoked(session):  # its conversation was deleted
                session = None
            await bind(sid, given if session else issue_session(key))

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: Text, data: Any) -> None:
            state = await sio.get_session(sid, namespace=namespace)
            conversation = state.get("conversation")
            output = SocketIOOutput(sio, self.bot_message_evt)
            if conversation is None:  # no session_request yet: nothing to answer into but this socket
                await output.send_text_message(sid, "Please reload the page to start a conversation.")
                return
            if limiter is not None and not limiter.allow(state.get("client")):
                await output.send_text_message(sid, TOO_MANY_TEXT)
                return
            text = data.get("message") if isinstance(data, dict) else None
            if not isinstance(text, str) or not text.strip():
                await output.send_text_message(sid, "Backline did not receive any words; please try again.")
                return
            metadata = data.get(self.metadata_key)
            await handle(UserMessage(clean_text(text), output, conversation, input_channel=self.name(),
                                     metadata=metadata if isinstance(metadata, dict) else None))
            if web_sessions.take_revoked(conversation):  # deleted in this turn: this tab goes on under a fresh id
                await bind(sid, issue_session(key))

        return socketio_webhook
