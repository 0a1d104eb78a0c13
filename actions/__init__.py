"""Backline's custom actions (rasa-sdk): a thin layer between Rasa's tracker and the clinical core in bot/."""

from ops import log_privacy

log_privacy.install()  # the action server's log lines (rasa_sdk, sanic) carry no message text either
