"""Short-lived signed links to a conversation's diary chart, report and export.

Interface:
    link(conversation, kind) -> str            # kind: "chart.png", "report.pdf" or "diary.csv"; absolute URL
                                               # served by the Rasa server's own channel route
    conversation_of(token, kind) -> Optional[str]  # the conversation a valid, unexpired token names

A link is BACKLINE_PUBLIC_URL + /webhooks/rest/diary/<kind>?token=<token> (channels/rest.py serves it).
The token holds the conversation id encrypted (an HMAC-SHA256 key stream with a random nonce), the
expiry (BACKLINE_LINK_MINUTES) and an HMAC-SHA256 tag over all of it and the kind, with keys derived from
BACKLINE_WEB_SECRET: the URL does not show whose diary it is, a token for the chart does not open the
report, and a changed, truncated or expired token names nobody. Tags are compared in constant time.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import struct
import time
from typing import Optional

from ops import settings

KINDS = ("chart.png", "report.pdf", "diary.csv")
ROUTE = "/webhooks/rest/diary/"
NONCE_BYTES = 12
TAG_BYTES = 16  # 128 bits
MAX_CONVERSATION = 255
MAX_TOKEN_CHARS = 512


def _keys(secret: Optional[bytes] = None) -> tuple:
    secret = settings.web_secret() if secret is None else secret
    return (hmac.new(secret, b"backline diary link: encryption", hashlib.sha256).digest(),
            hmac.new(secret, b"backline diary link: signature", hashlib.sha256).digest())


def _stream(key: bytes, nonce: bytes, length: int) -> bytes:
    blocks = (hmac.new(key, nonce + struct.pack(">I", n), hashlib.sha256).digest() for n in range(length // 32 + 1))
    return b"".join(blocks)[:length]


def _xor(data: bytes, stream: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, stream, strict=False))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_token(conversation: str, kind: str, now: Optional[float] = None, lifetime: Optional[float] = None,
               secret: Optional[bytes] = None) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown diary file kind {kind!r}")
    plain = conversation.encode()
    if not 0 < len(plain) <= MAX_CONVERSATION:
        raise ValueError("a diary link needs a conversation id of 1 to 255 bytes")
    now = time.time() if now is None else now
    expires = int(now + (settings.link_seconds() if lifetime is None else lifetime))
    crypt_key, sign_key = _keys(secret)
    nonce = os.urandom(NONCE_BYTES)
    body = nonce + struct.pack(">Q", expires) + _xor(plain, _stream(crypt_key, nonce, len(plain)))
    tag = hmac.new(sign_key, kind.encode() + b"\0" + body, hashlib.sha256).digest()[:TAG_BYTES]
    return _b64(body + tag)


def conversation_of(token: object, kind: str, now: Optional[float] = None,
                    secret: Optional[bytes] = None) -> Optional[str]:
    """The conversation a valid, unexpired token for `kind` names; None for anything else."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS or kind not in KINDS:
        return None
    try:
        raw = _unb64(token)
    except (ValueError, TypeError):
        return None
    if len(raw) <= NONCE_BYTES + 8 + TAG_BYTES:
        return None
    body, tag = raw[:-TAG_BYTES], raw[-TAG_BYTES:]
    crypt_key, sign_key = _keys(secret)
    expected = hmac.new(sign_key, kind.encode() + b"\0" + body, hashlib.sha256).digest()[:TAG_BYTES]
    if not hmac.compare_digest(expected, tag):
        return None
    nonce, (expires,), cipher = body[:NONCE_BYTES], struct.unpack(">Q", body[NONCE_BYTES:NONCE_BYTES + 8]), \
        body[NONCE_BYTES + 8:]
    if (time.time() if now is None else now) >= expires:
        return None
    try:
        return _xor(cipher, _stream(crypt_key, nonce, len(cipher))).decode()
    except UnicodeDecodeError:
        return None


def link(conversation: str, kind: str, now: Optional[float] = None) -> str:
    """The absolute URL of this conversation's `kind` file, working for BACKLINE_LINK_MINUTES."""
    return f"{settings.public_url()}{ROUTE}{kind}?token={make_token(conversation, kind, now)}"


def token_in(url: object) -> Optional[tuple]:
    """(kind, token) when `url` is one of our diary links (any host: the channels resolve it locally)."""
    if not isinstance(url, str) or ROUTE not in url or "?token=" not in url:
        return None
    tail = url.split(ROUTE, 1)[1]
    kind, _, query = tail.partition("?token=")
    token = query.split("&", 1)[0].split("#", 1)[0]
    return (kind, token) if kind in KINDS and token else None
