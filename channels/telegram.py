"""Telegram for Backline: Rasa's TelegramInput / TelegramOutput, configured from the environment.

Required: TELEGRAM_BOT_TOKEN (from @BotFather), TELEGRAM_BOT_USERNAME (the bot's username without "@";
Rasa checks each update against getMe), TELEGRAM_WEBHOOK_URL (the public HTTPS address of
/webhooks/telegram/webhook; Backline registers it with setWebhook when the server starts),
TELEGRAM_SECRET_TOKEN (sent with setWebhook; updates without the matching X-Telegram-Bot-Api-Secret-Token
header are refused with 403: without it anyone who finds the URL could post forged updates, so the
channel stays off). Optional: TELEGRAM_API_URL (the Bot API server, default https://api.telegram.org;
the tests point it at a local fake).

Conversation ids are `telegram:<chat id>`; the Bot API still gets the bare chat id.

The pain diary's chart is sent as a photo (sendPhoto) and the report and CSV as documents (sendDocument),
drawn here from the diary store: Telegram never gets a link to this server (it could not reach a
localhost one, and should not hold a link to a health record).

Differences from Rasa's TelegramInput, each deliberate:
- Every request to the channel's routes but its health check (GET /webhooks/telegram/) needs the secret
  header, whatever the spelling of its path: the check is keyed on the route Sanic matched, not on the
  path (Sanic also routes /webhook/ to /webhook, and a check on the path's spelling was skipped). Rasa's
  unauthenticated `set_webhook` route answers 404: the webhook is registered at start-up.
- setWebhook runs once the server is up, in the server's own event loop, and a failure is logged, not
  fatal (Rasa calls it with asyncio.run() while building the routes: the bot's HTTP session then
  belongs to a closed loop, and an unreachable Telegram stops the whole server).
- An error while handling an update is logged and answered 200, so Telegram does not resend the same
  update again and again.
"""
from __future__ import annotations

import hmac
import io
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from aiogram.bot.api import TELEGRAM_PRODUCTION, TelegramAPIServer
from aiogram.types import InputFile
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.telegram import TelegramInput, TelegramOutput
from sanic import Blueprint, response
from sanic.request import Request

from channels import bare, channel_off, env, guarded, missing, route_of
from channels.diary_files import DiaryFile, RecentLinks, deliver, links_in

logger = logging.getLogger(__name__)

REQUIRED = ("TELEGRAM_BOT_TOKEN", "TELEGRAM_BOT_USERNAME", "TELEGRAM_WEBHOOK_URL", "TELEGRAM_SECRET_TOKEN")
PREFIX = "telegram:"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class TelegramOutputAt(TelegramOutput):
    """Rasa's Telegram output (buttons become an inline keyboard), talking to `api_url` when given."""

    def __init__(self, access_token: Optional[Text], api_url: Optional[Text] = None) -> None:
        super(TelegramOutput, self).__init__(
            access_token, server=TelegramAPIServer.from_base(api_url) if api_url else TELEGRAM_PRODUCTION
        )
        # Diary links already sent. One output serves every update (Rasa's blueprint makes it once), so the
        # memory is bounded: a link only needs remembering for the reply that carries it.
        self.delivered = RecentLinks()

    # Rasa addresses replies to the conversation id (telegram:<chat>); the Bot API wants the chat id.
    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        await super().send_response(bare(PREFIX, recipient_id), message)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        text, links = links_in(text)
        if text:
            await super().send_text_message(bare(PREFIX, recipient_id), text, **kwargs)
        for url in links:
            await self._deliver(recipient_id, url)

    # The diary's files: sent as a photo or a document, never linked (channels/diary_files.py).
    async def _deliver(self, recipient_id: Text, url: Any) -> bool:
        chat = bare(PREFIX, recipient_id)
        owner = PREFIX + bare(PREFIX, recipient_id)  # the conversation; Rasa may hand over the bare id

        async def upload(found: DiaryFile) -> None:
            document = InputFile(io.BytesIO(found.data), filename=found.filename)
            if found.kind == "chart.png":
                await self.send_photo(chat, document)
            else:
                await self.send_document(chat, document)

        return await deliver(url, owner, upload,
                             lambda text: super(TelegramOutputAt, self).send_text_message(chat, text), self.delivered)

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        if not await self._deliver(recipient_id, image):
            await super().send_image_url(bare(PREFIX, recipient_id), image, **kwargs)

    async def send_attachment(self, recipient_id: Text, attachment: Any, **kwargs: Any) -> None:
        if not await self._deliver(recipient_id, attachment):
            await super().send_attachment(bare(PREFIX, recipient_id), attachment, **kwargs)


class TelegramFromEnv(TelegramInput):
    """`channels.telegram.TelegramFromEnv` in credentials.yml; webhook /webhooks/telegram/webhook."""

    api_url: Optional[Text] = None
    secret_token: Optional[Text] = None

    @classmethod
    def name(cls) -> Text:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        if missing(REQUIRED):
            return channel_off("telegram", REQUIRED)
        channel = cls(env("TELEGRAM_BOT_TOKEN"), env("TELEGRAM_BOT_USERNAME").lstrip("@"),
                      env("TELEGRAM_WEBHOOK_URL"), debug_mode=False)
        channel.api_url = env("TELEGRAM_API_URL")
        channel.secret_token = env("TELEGRAM_SECRET_TOKEN")
        logger.info("Telegram channel on: webhook /webhooks/telegram/webhook, public URL %s%s",
                    channel.webhook_url, f", Bot API at {channel.api_url}" if channel.api_url else "")
        return channel

    def get_output_channel(self) -> TelegramOutput:
        bot = TelegramOutputAt(self.access_token, self.api_url)
        self.__dict__.setdefault("_bots", []).append(bot)  # their HTTP sessions are closed at shutdown
        return bot

    async def register_webhook(self, bot: TelegramOutput) -> bool:
        params: Dict[Text, Any] = {"url": self.webhook_url}
        if self.secret_token:
            params["secret_token"] = self.secret_token  # Bot API 6.1; aiogram 2.15's set_webhook predates it
        try:
            ok = bool(await bot.request("setWebhook", params))
        except Exception as error:  # noqa: BLE001 - a failed registration must not stop Backline
            logger.error("Telegram channel: setWebhook(%s) failed: %s. Updates may not arrive; "
                         "check TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_URL.", self.webhook_url, error)
            return False
        logger.info("Telegram channel: webhook registered as %s", self.webhook_url)
        return ok

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # Rasa's blueprint asks for an output channel (get_output_channel, above: no network call here).
        telegram_webhook = super().blueprint(guarded(on_new_message, PREFIX))
        registrar = self.get_output_channel()

        @telegram_webhook.listener("after_server_start")
        async def set_webhook(app: Any, loop: Any) -> None:
            await self.register_webhook(registrar)

        @telegram_webhook.listener("before_server_stop")
        async def close_sessions(app: Any, loop: Any) -> None:
            for bot in self.__dict__.get("_bots", []):
                if bot._session is not None and not bot._session.closed:
                    await bot._session.close()

        @telegram_webhook.middleware("request")
        async def check_secret(request: Request) -> Optional[response.HTTPResponse]:
            route = route_of(request)
            if route == "health":
                return None
            if route == "set_webhook":  # Rasa's would register the URL without the secret token, for anyone
                return response.text("Not Found", status=404)
            given = request.headers.get(SECRET_HEADER, "")
            if not hmac.compare_digest(given.encode(), self.secret_token.encode()):
                logger.warning("Telegram channel: refused an update without the right %s header", SECRET_HEADER)
                return response.text("forbidden", status=403)
            if request.method != "POST":  # Rasa's handler answers nothing to a GET (a 500)
                return response.text("Method Not Allowed", status=405)
            return None

        return telegram_webhook

