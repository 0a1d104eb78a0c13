"""Backline's Slack and Telegram connectors: Rasa's own channels, configured from environment variables.

credentials.yml names `channels.slack.SlackFromEnv` and `channels.telegram.TelegramFromEnv`. Their
`name()` stays "slack" / "telegram", so the webhooks are /webhooks/slack/webhook and
/webhooks/telegram/webhook as in Rasa's documentation. Tokens and secrets are read from the
environment, never from a file; when one is missing the channel is off: one clear log line, no routes,
and the rest of Backline (REST, the website widget) runs as usual. Rasa's own `${VAR}` expansion in
credentials.yml would instead stop the server at start-up when a variable is unset.

Every channel passes its messages through `guarded` (conversation ids in the channel's namespace, one length
cap for every channel, and failed saves or deletions reported to the caregiver) and, on REST and socket.io, a
per-client rate limit (channels/rate_limit.py).
"""
from __future__ import annotations

import logging
import os
from typing import Any, Awaitable, Callable, Optional, Sequence, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint

from ops import log_privacy, settings
from ops.store_guard import DELETE_FAILED, DELETE_PARTIAL, DELETE_UNCERTAIN

logger = logging.getLogger(__name__)
log_privacy.install()  # the Rasa server loads the channels before it handles any message


def env(name: Text) -> Optional[Text]:
    """The variable's value, or None when it is unset or blank."""
    value = os.environ.get(name, "").strip()
    return value or None


def missing(names: Sequence[Text]) -> list:
    return [name for name in names if env(name) is None]


def and_list(names: Sequence[Text]) -> Text:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


class ChannelOff(InputChannel):
    """Stands in for a channel whose settings are missing: it registers no routes."""

    def __init__(self, channel_name: Text, reason: Text) -> None:
        self.channel_name = channel_name
        self.reason = reason

    def name(self) -> Text:  # type: ignore[override]  # an instance's name, as Rasa only calls it on instances
        return self.channel_name

    def url_prefix(self) -> Text:
        return self.channel_name

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return Blueprint(f"{self.channel_name}_off")

    def get_output_channel(self) -> None:
        return None


def route_of(request: Any) -> Text:
    """The name of the handler Sanic matched for a request ("message", "health", "receive", ...): the same for
    every spelling of the path that reaches it (a trailing slash, say), so checks keyed on it cannot be
    stepped around the way a check on the path's spelling could."""
    name = getattr(getattr(request, "route", None), "name", None) or ""
    return name.rsplit(".", 1)[-1]


def channel_off(channel_name: Text, required: Sequence[Text]) -> ChannelOff:
    reason = (f"{channel_name.capitalize()} channel off: set {and_list(list(required))}"
              f" (missing: {', '.join(missing(required))})")
    logger.warning(reason)
    return ChannelOff(channel_name, reason)


# --- what every channel does to a turn -------------------------------------------------------------

# The conversation id namespaces (docs/interface.md, Conversation identity): a Slack user id or a
# Telegram chat id sent as a REST sender must not reach that caregiver's conversation.
RESERVED_PREFIXES = ("slack:", "telegram:", "web:")
MAX_CONVERSATION_ID = 128  # well under the tracker store's 255-character column, prefix included

SAVE_FAILED_TEXT = ("Backline could not save this part of the conversation (a storage problem on our side), "
                    "so it may not remember it next time. If this is urgent, call your local emergency number.")
# What the caregiver is told when "delete my conversation" did not fully happen (ops/store_guard.py). Each says
# only what is known: the action server may already have removed the diary before the store failed, and a
# store call that timed out may still finish after the reply.
DELETE_FAILED_TEXTS = {
    DELETE_FAILED: "Sorry: this conversation could NOT be deleted just now (a storage problem on our side), so it "
                   "is still stored (its pain diary may already be gone). Please ask again in a few minutes.",
    DELETE_UNCERTAIN: "Sorry: Backline could not confirm that this conversation was deleted (the storage did not "
                      "answer in time). Some or all of it may still be stored. Please ask again in a few minutes.",
    DELETE_PARTIAL: "Your conversation and its pain diary were deleted, but a file drawn from the diary could not "
                    "be removed yet. Please ask again in a few minutes to finish the deletion.",
}


def too_long_text(cap: int) -> Text:
    """The reply to a message longer than BACKLINE_MAX_MESSAGE_CHARS (the same on every channel)."""
    return (f"That message is too long for Backline to read (the limit is {cap:,} characters), so it was not "
            f"read or kept. Please send it again in a few shorter messages. If this is urgent, call your "
            f"local emergency number.")

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def namespaced(prefix: Text, bare_id: Any) -> Optional[Text]:
    """`prefix` + the platform's id, or None when the id is empty or too long to store."""
    text = str(bare_id).strip() if bare_id is not None else ""
    conversation_id = prefix + text
    if not text or len(conversation_id) > MAX_CONVERSATION_ID:
        return None
    return conversation_id


def bare(prefix: Text, conversation_id: Text) -> Text:
    """The platform's own id (what its API expects) of a namespaced conversation id."""
    text = str(conversation_id)
    return text[len(prefix):] if text.startswith(prefix) else text


def guarded(on_new_message: OnNewMessage, prefix: Optional[Text] = None) -> OnNewMessage:
    """Rasa's message handler with the conversation id in the channel's namespace (when `prefix` is
    given), a message over BACKLINE_MAX_MESSAGE_CHARS answered with `too_long_text` and never read or
    stored, the message's words kept out of the turn's log lines (ops/log_privacy.py), and the caregiver
    told when the store could not save the turn or delete the conversation (ops/store_guard.py): a "Done"
    that did not happen is taken back."""
    from ops.gc_freeze import freeze_once
    from ops.store_guard import take_failure

    cap = settings.max_message_chars()

    async def handle(message: UserMessage) -> Any:
        freeze_once()  # the server has loaded everything by its first message (ops/gc_freeze.py)
        log_privacy.handling(message.text)  # its words are kept out of every log line of this turn
        if prefix is not None:
            conversation_id = namespaced(prefix, message.sender_id)
            if conversation_id is None:
                logger.warning(f"{prefix.rstrip(':')} channel: ignored a message whose id cannot be stored")
                return None
            message.sender_id = conversation_id
        if isinstance(message.text, str) and len(message.text) > cap:
            # Refused before the reading (whose cost grows with the text) and before the store: nothing of it is kept.
            logger.warning(f"{message.input_channel or 'a'} channel: refused a message of {len(message.text)} "
                           f"characters (BACKLINE_MAX_MESSAGE_CHARS is {cap})")
            await message.output_channel.send_text_message(message.sender_id, too_long_text(cap))
            return None
        result = await on_new_message(message)
        failure = take_failure(message.sender_id)
        if failure is not None:
            output = message.output_channel
            deletion = failure in DELETE_FAILED_TEXTS
            if deletion and isinstance(getattr(output, "messages", None), list):
                output.messages.clear()  # REST: the confirmation was not sent yet, so it is not sent at all
            await output.send_text_message(message.sender_id, DELETE_FAILED_TEXTS.get(failure, SAVE_FAILED_TEXT))
        return result

    return handle
