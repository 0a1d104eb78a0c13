"""Backline's Slack and Telegram connectors: Rasa's own channels, configured from environment variables.

credentials.yml names `channels.slack.SlackFromEnv` and `channels.telegram.TelegramFromEnv`. Their
`name()` stays "slack" / "telegram", so the webhooks are /webhooks/slack/webhook and
/webhooks/telegram/webhook as in Rasa's documentation. Tokens and secrets are read from the
environment, never from a file; when one is missing the channel is off: one clear log line, no routes,
and the rest of Backline (REST, the website widget) runs as usual. Rasa's own `${VAR}` expansion in
credentials.yml would instead stop the server at start-up when a variable is unset.
"""
from __future__ import annotations

import logging
import os
from typing import Any, Awaitable, Callable, Optional, Sequence, Text

from sanic import Blueprint

from rasa.core.channels.channel import InputChannel, UserMessage

logger = logging.getLogger(__name__)


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


def channel_off(channel_name: Text, required: Sequence[Text]) -> ChannelOff:
    reason = (f"{channel_name.capitalize()} channel off: set {and_list(list(required))}"
              f" (missing: {', '.join(missing(required))})")
    logger.warning(reason)
    return ChannelOff(channel_name, reason)
