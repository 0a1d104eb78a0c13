"""A per-client message limit for the public channels (REST and socket.io): BACKLINE_RATE_LIMIT messages
per window (ops/settings.py). One client flooding the bot slows every caregiver's answers on a small
server; past the limit REST answers 429 and socket.io answers with a short bot message, without running
the turn. Loopback clients (local evaluation, tests, the benchmark) are exempt unless
BACKLINE_RATE_LIMIT_LOOPBACK is set. Behind a proxy every client shares the proxy's address: nginx in
deploy/ limits per client itself.
"""
from __future__ import annotations

import time
from collections import OrderedDict, deque
from typing import Deque, Optional, Text

from ops import settings

# Addresses remembered at once; the least recently seen are forgotten first (bounded memory under a flood
# of spoofed sources).
MAX_CLIENTS = 50_000
_shared: Optional["RateLimiter"] = None
TOO_MANY_TEXT = "You are sending messages faster than Backline can answer. Please wait a minute and try again."


class RateLimiter:
    def __init__(self, count: int, seconds: float, limit_loopback: bool = False) -> None:
        self.count = count
        self.seconds = seconds
        self.limit_loopback = limit_loopback
        self.clients: "OrderedDict[Text, Deque[float]]" = OrderedDict()

    @classmethod
    def from_settings(cls) -> Optional["RateLimiter"]:
        """The server's one limiter, shared by REST and socket.io: a client's messages count together."""
        global _shared
        if _shared is None:
            limit = settings.rate_limit()
            if limit is None:
                return None
            _shared = cls(*limit, limit_loopback=settings.rate_limit_loopback())
        return _shared

    def allow(self, client: Optional[Text], now: Optional[float] = None) -> bool:
        """Counts one message from `client` (an address); False when it is over the limit."""
        client = client or "unknown"
        if not self.limit_loopback and settings.is_loopback(client):
            return True
        now = time.monotonic() if now is None else now
        times = self.clients.pop(client, None) or deque()
        while times and times[0] <= now - self.seconds:
            times.popleft()
        allowed = len(times) < self.count
        if allowed:
            times.append(now)
        self.clients[client] = times
        if len(self.clients) > MAX_CLIENTS:
            self.clients.popitem(last=False)
        return allowed

    def retry_after(self, client: Optional[Text], now: Optional[float] = None) -> int:
        times = self.clients.get(client or "unknown")
        if not times:
            return 0
        now = time.monotonic() if now is None else now
        return max(1, int(times[0] + self.seconds - now + 0.999))
