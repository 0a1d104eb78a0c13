"""Slack for Backline: Rasa's SlackInput / SlackBot, configured from the environment.

Required: SLACK_BOT_TOKEN (the app's Bot User OAuth Token, xoxb-...) and SLACK_SIGNING_SECRET (the app's
Signing Secret; every request is checked against it and a missing or wrong signature gets 400).
Optional: SLACK_CHANNEL (a channel ID where Backline also answers messages that do not mention it),
SLACK_API_URL (where the Web API lives, default https://slack.com/api/; the tests point it at a local fake).
Webhook (Event Subscriptions and Interactivity request URL): https://YOUR-HOST/webhooks/slack/webhook

Conversation ids are `slack:<user id>` (a Slack user id is visible to the whole workspace, so it must not
also be a REST sender); the Web API still gets the bare ids. A signed request seen before (same timestamp
and signature, within Slack's five-minute window) is a replay and gets 400. With BACKLINE_REDIS_URL the
requests seen are kept in Redis, so a replay sent to another Rasa server is refused too (SET NX, in a worker
thread within BACKLINE_STORE_TIMEOUT; when Redis fails, the server's own memory still refuses what it saw);
without it each server remembers its own (docs/operations.md).

The pain diary's chart, report and CSV (links made by ops/report_links.py) are uploaded as files into the
conversation (files.getUploadURLExternal / files.completeUploadExternal, slack_sdk's files_upload_v2),
drawn here from the diary store: Slack never gets a link to this server.
"""
from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Dict, Optional, Set, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot, SlackInput
from sanic import Blueprint, response
from sanic.request import Request
from slack_sdk.web.async_client import AsyncWebClient

from channels import bare, channel_off, env, guarded, missing
from channels.diary_files import DiaryFile, deliver, links_in
from ops import settings
from ops.store_guard import StoreCalls, StoreUnavailable

logger = logging.getLogger(__name__)

REQUIRED = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
PREFIX = "slack:"
REPLAY_WINDOW_SECONDS = 5 * 60  # Slack's own: Rasa refuses an older timestamp, so older ones need no memory
MAX_REMEMBERED_REQUESTS = 100_000


class SeenRequests:
    """Signed requests already accepted, for REPLAY_WINDOW_SECONDS (bounded)."""

    def __init__(self) -> None:
        self.seen: "OrderedDict[tuple, float]" = OrderedDict()

    def first_time(self, timestamp: Text, signature: Text, now: Optional[float] = None) -> bool:
        now = time.time() if now is None else now
        while self.seen and (next(iter(self.seen.values())) < now - REPLAY_WINDOW_SECONDS
                             or len(self.seen) > MAX_REMEMBERED_REQUESTS):
            self.seen.popitem(last=False)
        key = (timestamp, signature)
        if key in self.seen:
            return False
        self.seen[key] = now
        return True


class SharedSeenRequests:
    """SeenRequests kept in Redis as well, for every Rasa server of one deployment."""

    KEY_PREFIX = "backline:slack-seen:"

    def __init__(self, url: Text) -> None:
        import redis

        timeout = settings.store_timeout()
        self.red = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        self.calls = StoreCalls("Slack replay memory", timeout, workers=2)
        self.local = SeenRequests()

    async def first_time(self, timestamp: Text, signature: Text) -> bool:
        if not self.local.first_time(timestamp, signature):
            return False
        key = self.KEY_PREFIX + hashlib.sha256(f"{timestamp}:{signature}".encode()).hexdigest()
        try:
            return bool(await self.calls.run(
                lambda: self.red.set(key, b"1", nx=True, ex=REPLAY_WINDOW_SECONDS)))
        except StoreUnavailable as error:  # a caregiver's message is not lost to a Redis outage
            logger.warning(f"Slack channel: the shared replay memory is unavailable ({error}); "
                           f"only this server's memory was checked")
            return True


class LocalSeenRequests(SeenRequests):
    """This server's memory only, with the shared memory's interface."""

    async def first_time(self, timestamp: Text, signature: Text) -> bool:  # type: ignore[override]
        return super().first_time(timestamp, signature)


def replay_memory() -> Any:
    """The requests seen: in Redis when BACKLINE_REDIS_URL is set, else this server's own."""
    url = settings.redis_url()
    return SharedSeenRequests(url) if url else LocalSeenRequests()


class SlackBotAt(SlackBot):
    """Rasa's Slack output (buttons become a section block plus an actions block), with the Web API
    at `api_url` when one is given."""

    def __init__(self, token: Text, slack_channel: Optional[Text] = None, thread_id: Optional[Text] = None,
                 proxy: Optional[Text] = None, api_url: Optional[Text] = None) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        self.delivered: Set[Text] = set()  # this reply's diary links already uploaded
        if api_url:
            self.client = AsyncWebClient(token, proxy=proxy, base_url=api_url.rstrip("/") + "/")

    # The diary's files: uploaded, never linked (channels/diary_files.py).
    async def _deliver(self, recipient_id: Text, url: Any) -> bool:
        channel = self.slack_channel or bare(PREFIX, recipient_id)
        owner = PREFIX + bare(PREFIX, recipient_id)  # the conversation; Rasa may hand over the bare id

        async def upload(found: DiaryFile) -> None:
            await self.client.files_upload_v2(channel=channel, file=found.data, filename=found.filename,
                                              title=found.filename)

        return await deliver(url, owner, upload, lambda text: super(SlackBotAt, self).send_text_message(
            recipient_id, text), self.delivered)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        text, links = links_in(text)
        if text:
            await super().send_text_message(recipient_id, text, **kwargs)
        for url in links:
            await self._deliver(recipient_id, url)

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        if not await self._deliver(recipient_id, image):
            await super().send_image_url(recipient_id, image, **kwargs)

    async def send_attachment(self, recipient_id: Text, attachment: Any, **kwargs: Any) -> None:
        if not await self._deliver(recipient_id, attachment):
            await super().send_attachment(recipient_id, attachment, **kwargs)


class SlackFromEnv(SlackInput):
    """`channels.slack.SlackFromEnv` in credentials.yml; webhook /webhooks/slack/webhook."""

    @classmethod
    def name(cls) -> Text:
        return "slack"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        if missing(REQUIRED):
            return channel_off("slack", REQUIRED)
        settings = dict(credentials or {})  # non-secret options may stay in credentials.yml
        channel = cls(
            env("SLACK_BOT_TOKEN"),
            env("SLACK_CHANNEL") or settings.get("slack_channel"),
            settings.get("proxy"),
            settings.get("slack_retry_reason_header", "x-slack-retry-reason"),
            settings.get("slack_retry_number_header", "x-slack-retry-num"),
            settings.get("errors_ignore_retry"),
            settings.get("use_threads", False),
            env("SLACK_SIGNING_SECRET"),
            settings.get("conversation_granularity", "sender"),
        )
        channel.api_url = env("SLACK_API_URL")
        logger.info("Slack channel on: webhook /webhooks/slack/webhook%s",
                    f", Web API at {channel.api_url}" if channel.api_url else "")
        return channel

    api_url: Optional[Text] = None

    def get_output_channel(self, channel: Optional[Text] = None, thread_id: Optional[Text] = None) -> OutputChannel:
        return SlackBotAt(self.slack_token, channel or self.slack_channel, thread_id, self.proxy, self.api_url)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        slack_webhook = super().blueprint(guarded(on_new_message, PREFIX))
        seen = replay_memory()

        @slack_webhook.middleware("request")
        async def refuse_replays(request: Request) -> Optional[response.HTTPResponse]:
            if request.method != "POST" or not self.is_request_from_slack_authentic(request):
                return None  # Rasa's handler refuses unsigned requests itself
            if not await seen.first_time(request.headers.get("X-Slack-Request-Timestamp", ""),
                                         request.headers.get("X-Slack-Signature", "")):
                logger.warning("Slack channel: refused a replayed request")
                return response.text("Replayed request", status=400)
            return None

        @slack_webhook.middleware("request")
        async def url_verification(request: Request) -> Optional[response.HTTPResponse]:
            # Slack checks a new request URL by sending a signed {"type": "url_verification", "challenge": ...}
            # and expects {"challenge": ...} back; Rasa's handler answers a bare JSON string.
            if request.method != "POST" or request.headers.get("content-type") != "application/json":
                return None
            try:
                body = json.loads(request.body or b"{}")
            except ValueError:
                return None
            if isinstance(body, dict) and body.get("type") == "url_verification":
                if not self.is_request_from_slack_authentic(request):
                    return response.text("Message is not properly signed with a valid X-Slack-Signature header",
                                         status=400)
                return response.json({"challenge": body.get("challenge", "")})
            return None

        return slack_webhook
