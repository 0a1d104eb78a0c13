"""REST for any client: Rasa's RestInput with the request body checked before anything reads it.

`POST /webhooks/rest/webhook {"sender": ID, "message": TEXT}` as before (name() stays "rest"), but:

- a body larger than MAX_BODY_BYTES is refused with 413 before it is parsed (Content-Length first,
  then the bytes received); a message longer than BACKLINE_MAX_MESSAGE_CHARS (10,000 by default, the
  cap every channel applies: channels.guarded) is refused with 413 too, its error saying so;
- a body that is not JSON, not a JSON object, or whose "message" is missing or not a string gets 400
  with a short JSON error (Rasa's own channel answers 500 for a JSON list and `200 []` for a missing
  message); "metadata" must be an object;
- "sender" (the conversation id) is required: a string or number of 1-128 characters from a plain set
  (letters, digits and . _ - : @ + =), not beginning with slack:, telegram: or web: (those are the other
  channels' conversations; docs/interface.md); 400 otherwise. Without it every sender-less client
  used to share Rasa's one "default" conversation;
- more than BACKLINE_RATE_LIMIT messages from one client address get 429 (channels/rate_limit.py);
- a store failure during the turn is reported in the reply (channels.guarded);
- control characters other than newline and tab, and HTML/XML tags (`<b>`, `</script>`, `<img ...>`),
  are replaced by spaces: a caregiver never means them, nothing downstream (NLU, logs, tracker store,
  the web widget reading the history) has to cope with them, and the clinical core reads the words
  around them ("has <b>MS</b>" is read as "has MS"; glued to a tag, the word was missed).

- "input_channel", when given, must be "rest" (400 otherwise): the actions treat "cmdline" (`rasa shell`) as
  the terminal and write the diary's files to disk, answering with their path (issue 23).

The diary's files (issue 14) are served here too, so they work without the web page's server:
`GET /webhooks/rest/diary/<kind>?token=T` (a signed link from ops/report_links.py, for the widget and any
REST client), where kind is chart.png, report.pdf or diary.csv. Only a signed link opens a file: a
conversation id is a credential, and a short or guessable REST id must not open a diary by itself, so
`POST .../diary/<kind> {"sender": ID}` (accepted before issue 23) gets 403 too. The file is drawn on request
from the diary store and sent with `Cache-Control: no-store`; a missing, forged, expired or other-kind token
gets 403, an unknown kind 404, a store failure 503. Never a 500, and the token is not logged
(ops/log_privacy.py).

Everything else (the stream option, metadata) is Rasa's.
"""
from __future__ import annotations

import json
import logging
import re
import sys
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

from channels import MAX_CONVERSATION_ID, RESERVED_PREFIXES, guarded, route_of, too_long_text
from channels.rate_limit import TOO_MANY_TEXT, RateLimiter
from ops import settings
from ops.report_links import KINDS

logger = logging.getLogger(__name__)

REST = "rest"
MAX_BODY_BYTES = 64 * 1024
_SENDER = re.compile(r"[A-Za-z0-9._:@+=-]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_TAG = re.compile(r"</?[A-Za-z!][^<>]{0,500}>")


class BodyError(Exception):
    def __init__(self, status: int, error: Text) -> None:
        super().__init__(error)
        self.status = status
        self.error = error


def validate_body(raw: bytes, content_length: Optional[Text] = None) -> Dict[Text, Any]:
    """The checked JSON object of a webhook request, or BodyError(status, reason)."""
    try:
        declared = int(content_length) if content_length else 0
    except ValueError:
        raise BodyError(400, "invalid Content-Length") from None
    if declared > MAX_BODY_BYTES or len(raw or b"") > MAX_BODY_BYTES:
        raise BodyError(413, f"request body larger than {MAX_BODY_BYTES} bytes")
    try:
        body = json.loads(raw or b"")
    except (ValueError, UnicodeDecodeError):
        raise BodyError(400, "the body must be a JSON object: {\"sender\": ID, \"message\": TEXT}") from None
    if not isinstance(body, dict):
        raise BodyError(400, "the body must be a JSON object: {\"sender\": ID, \"message\": TEXT}")
    message = body.get("message")
    if not isinstance(message, str):
        raise BodyError(400, "\"message\" is required and must be a string")
    cap = settings.max_message_chars()
    if len(message) > cap:
        raise BodyError(413, too_long_text(cap))
    body["sender"] = check_sender(body.get("sender"))
    if body.get("metadata") is not None and not isinstance(body["metadata"], dict):
        raise BodyError(400, "\"metadata\" must be an object")
    if body.get("input_channel") not in (None, REST):
        raise BodyError(400, f"\"input_channel\" may only be \"{REST}\" (or left out) on this channel")
    body["message"] = clean_text(message)
    return body


def check_sender(sender: Any) -> Text:
    """The REST conversation id, or BodyError(400) saying what a valid one looks like."""
    if sender is None:
        raise BodyError(400, "\"sender\" is required: the conversation id, 1-128 characters")
    if isinstance(sender, bool) or not isinstance(sender, (str, int)):
        raise BodyError(400, "\"sender\" must be a string")
    sender = str(sender)
    if not 1 <= len(sender) <= MAX_CONVERSATION_ID or not _SENDER.fullmatch(sender):
        raise BodyError(400, f"\"sender\" must be 1 to {MAX_CONVERSATION_ID} letters, digits or . _ - : @ + =")
    if sender.lower().startswith(RESERVED_PREFIXES):
        raise BodyError(400, "\"sender\" must not begin with " + ", ".join(RESERVED_PREFIXES)
                        + ": those are other channels' conversations")
    return sender


def clean_text(text: Text) -> Text:
    """The message without control characters and HTML tags (each replaced by a space)."""
    return _TAG.sub(" ", _CONTROL.sub(" ", text))


class BacklineRest(RestInput):
    """`channels.rest.BacklineRest` in credentials.yml; the URL stays /webhooks/rest/webhook."""

    @classmethod
    def name(cls) -> Text:
        return REST

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        # Channels load before the model and the stores: the earliest point to refuse an open API.
        from ops.stores import refuse_open_api

        refuse_open_api(sys.argv)
        return cls()

    # RestInput reads these from request.json; they read the checked body instead.
    async def _extract_sender(self, req: Request) -> Optional[Text]:
        return req.ctx.backline_body.get("sender")

    def _extract_message(self, req: Request) -> Optional[Text]:
        return req.ctx.backline_body["message"]

    def _extract_input_channel(self, req: Request) -> Text:
        return req.ctx.backline_body.get("input_channel") or self.name()

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        return request.ctx.backline_body.get("metadata")

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(guarded(on_new_message))
        limiter = RateLimiter.from_settings()

        @webhook.middleware("request")
        async def check_body(request: Request):
            diary = route_of(request) == diary_route.__name__  # keyed on the route, not the path's spelling
            if request.method != "POST" and not diary:
                return None
            client = limiter.client(request) if limiter is not None else None
            if limiter is not None and not limiter.allow(client):
                return response.json({"error": TOO_MANY_TEXT}, status=429,
                                     headers={"Retry-After": str(limiter.retry_after(client))})
            if diary:
                return None  # its own checks, in diary_route
            try:
                request.ctx.backline_body = validate_body(request.body, request.headers.get("content-length"))
            except BodyError as error:
                return response.json({"error": error.error}, status=error.status)
            return None

        webhook.add_route(diary_route, DIARY_ROUTE + "<kind>", methods=["GET", "POST"])
        return webhook


DIARY_ROUTE = "/diary/"
NO_STORE = {"Cache-Control": "no-store, max-age=0", "Pragma": "no-cache", "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer"}


def diary_owner(request: Request, kind: Text) -> Optional[Text]:
    """The conversation whose file this request may read: a valid signed link's, and nothing else."""
    from ops.report_links import conversation_of

    if request.method != "GET":
        return None
    return conversation_of(request.args.get("token"), kind)


async def diary_route(request: Request, kind: Text) -> response.HTTPResponse:
    from channels.diary_files import diary_file
    from ops.store_guard import StoreUnavailable

    if kind not in KINDS:
        return response.json({"error": "no such file"}, status=404, headers=NO_STORE)
    conversation = diary_owner(request, kind)
    if conversation is None:
        return response.json({"error": "this link is not valid or has expired; ask Backline for a new one"},
                             status=403, headers=NO_STORE)
    try:
        found = await diary_file(conversation, kind)
    except StoreUnavailable as error:  # its message names the store and the error's type, never the data
        logger.warning(f"A diary file could not be read: {error}.")
        return response.json({"error": "the diary cannot be read just now; please try again"}, status=503,
                             headers=NO_STORE)
    except Exception as error:  # noqa: BLE001 - a drawing bug must not become a 500 with a traceback
        logger.error(f"A diary file could not be drawn ({type(error).__name__}).")
        return response.json({"error": "the file could not be made"}, status=503, headers=NO_STORE)
    headers = {**NO_STORE, "Content-Disposition": f'inline; filename="{found.filename}"'}
    return response.raw(found.data, content_type=found.content_type, headers=headers)
