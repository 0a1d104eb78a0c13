"""A per-client message limit for the public channels (REST and socket.io): BACKLINE_RATE_LIMIT messages
per window (ops/settings.py). One client flooding the bot slows every caregiver's answers on a small
server; past the limit REST answers 429 and socket.io answers with a short bot message, without running
the turn. Loopback clients (local evaluation, tests, the benchmark) are exempt unless
BACKLINE_RATE_LIMIT_LOOPBACK is set.

The key is the client's address as the connection shows it (`client_address`): for REST the request's peer,
for socket.io the peer of its HTTP transport (python-engineio's Sanic driver gives every socket.io client
REMOTE_ADDR 127.0.0.1, which made every web client exempt). Behind a reverse proxy every client has the
proxy's address: list the proxies in BACKLINE_TRUSTED_PROXIES and the client's address is taken from
X-Forwarded-For, only when the direct peer is one of them (anyone else could write any address there): the
right-most address in the header that is not itself a trusted proxy, the one the nearest proxy saw.
"""
from __future__ import annotations

import ipaddress
import time
from collections import OrderedDict, deque
from typing import Any, Deque, Optional, Sequence, Text

from ops import settings

# Addresses remembered at once; the least recently seen are forgotten first (bounded memory under a flood
# of spoofed sources).
MAX_CLIENTS = 50_000
_shared: Optional["RateLimiter"] = None
TOO_MANY_TEXT = "You are sending messages faster than Backline can answer. Please wait a minute and try again."


def _in(address: Text, networks: Sequence[Any]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: Any, proxies: Optional[Sequence[Any]] = None) -> Optional[Text]:
    """The address of the client behind a Sanic request: its direct peer, or, when the peer is one of the
    trusted `proxies` (BACKLINE_TRUSTED_PROXIES), the right-most X-Forwarded-For address that is not one."""
    peer = getattr(request, "ip", None) or None
    proxies = settings.trusted_proxies() if proxies is None else proxies
    if not proxies or peer is None or not _in(peer, proxies):
        return peer
    hops = [hop.strip() for value in request.headers.getall("x-forwarded-for", [])
            for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _in(hop, proxies):
            return hop if _valid(hop) else peer
    return peer


def _valid(address: Text) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


class RateLimiter:
    def __init__(self, count: int, seconds: float, limit_loopback: bool = False,
                 proxies: Sequence[Any] = ()) -> None:
        self.count = count
        self.seconds = seconds
        self.limit_loopback = limit_loopback
        self.proxies = tuple(proxies)
        self.clients: "OrderedDict[Text, Deque[float]]" = OrderedDict()

    def client(self, request: Any) -> Optional[Text]:
        """The key of a Sanic request's client (see `client_address`)."""
        return client_address(request, self.proxies)

    @classmethod
    def from_settings(cls) -> Optional["RateLimiter"]:
        """The server's one limiter, shared by REST and socket.io: a client's messages count together."""
        global _shared
        if _shared is None:
            limit = settings.rate_limit()
            if limit is None:
                return None
            _shared = cls(*limit, limit_loopback=settings.rate_limit_loopback(), proxies=settings.trusted_proxies())
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
