"""The diary's files for the channels: a link resolved on this server, never fetched over the network.

The actions hand the channels links made by ops/report_links.py (the chart as an image, the report and
the CSV as attachments). The REST route (channels/rest.py) serves them to browsers and REST clients;
Slack and Telegram cannot reach a localhost URL and should not see a link to a health detail, so they
read the token here, render the file from the diary store and upload the bytes.
"""
from __future__ import annotations

import asyncio
import logging
import re
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable, List, Optional, Set, Tuple, Union

from ops import report_links
from ops.diary_store import diary_store
from ops.store_guard import StoreUnavailable
from reports import CONTENT_TYPES, FILE_NAMES, render

logger = logging.getLogger(__name__)


@dataclass
class DiaryFile:
    kind: str
    data: bytes

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]

    @property
    def filename(self) -> str:
        return FILE_NAMES[self.kind]


async def diary_file(conversation: str, kind: str, now: Optional[datetime] = None) -> DiaryFile:
    """The conversation's `kind` file, drawn now from the store (StoreUnavailable when it cannot be read)."""
    store = diary_store()
    entries = await store.run(lambda: store.entries(conversation))
    now = now or datetime.now(timezone.utc)
    # Drawing takes a few hundred milliseconds of CPU: off the event loop, so other conversations go on.
    data = await asyncio.get_running_loop().run_in_executor(None, lambda: render(kind, entries, now))
    return DiaryFile(kind, data)


async def linked_file(url: object, conversation: Optional[str] = None) -> Optional[DiaryFile]:
    """The file behind one of our diary links, or None when `url` is not one, has expired, or names
    another conversation than `conversation` (a link is only ever delivered to its own conversation)."""
    found = report_links.token_in(url)
    if found is None:
        return None
    kind, token = found
    owner = report_links.conversation_of(token, kind)
    if owner is None or (conversation is not None and owner != conversation):
        logger.warning("A diary link could not be delivered: expired or for another conversation.")
        return None
    return await diary_file(owner, kind)


class RecentLinks:
    """The diary links a channel output has sent lately: a set that forgets the oldest past `size`."""

    def __init__(self, size: int = 1000) -> None:
        self.size = size
        self.links: "OrderedDict[str, None]" = OrderedDict()

    def __contains__(self, link: object) -> bool:
        return link in self.links

    def __len__(self) -> int:
        return len(self.links)

    def add(self, link: str) -> None:
        self.links[link] = None
        self.links.move_to_end(link)
        while len(self.links) > self.size:
            self.links.popitem(last=False)


_LINK = re.compile(r"https?://[^\s<>\"']+" + re.escape(report_links.ROUTE) + r"[^\s<>\"']+")
EXPIRED_TEXT = "That diary file is no longer available here; ask for the diary or the report again."


def links_in(text: object) -> Tuple[str, List[str]]:
    """The text without our diary links, and the links, for channels that send files instead."""
    if not isinstance(text, str) or report_links.ROUTE not in text:
        return (text if isinstance(text, str) else ""), []
    found = _LINK.findall(text)
    return re.sub(r"[ \t]{2,}", " ", _LINK.sub("", text)).strip(), found


async def deliver(url: object, conversation: Optional[str], upload: Callable[[DiaryFile], Awaitable[Any]],
                  say: Callable[[str], Awaitable[Any]],
                  delivered: Optional[Union[Set[str], RecentLinks]] = None) -> bool:
    """Uploads the file behind a diary link with `upload`; False when `url` is not a diary link (the
    channel sends it as usual). A link that cannot be resolved is never passed on: `say` explains.
    `url` may be the actions' attachment ({"type": "file", "url": ...}); a link already in `delivered`
    (the report's text names the link it also attaches) was sent once and is not sent again."""
    url = url.get("url") if isinstance(url, dict) else url
    if report_links.token_in(url) is None:
        return False
    if delivered is not None:
        if url in delivered:
            return True
        delivered.add(url)
    try:
        found = await linked_file(url, conversation)
    except StoreUnavailable:
        found = None
    if found is None:
        await say(EXPIRED_TEXT)
        return True
    await upload(found)
    return True
