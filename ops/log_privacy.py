"""Keeps message text out of the Rasa server's logs and warnings.

Rasa and Sanic quote what they could not handle: "Failed to parse arguments in line '/...'", "Parsed an
intent '...' which is not defined in the domain", "Invalid entity specification: {...}", an exception
with the request. A caregiver's message is a health detail about a third person, and logs are kept,
shipped and read far more widely than the conversation store. So every log record from a logger that
is not Backline's own (whose messages are written not to carry text), and every Python warning, has its
quoted parts and its {...} parts replaced by "…" before any handler sees it. The record factory is used
because it survives Sanic's and Rasa's own logging configuration, which replace handlers and filters.
SQL parameters are hidden by the engines themselves (ops/stores.py: hide_parameters).

Sanic's access log (on when LOG_LEVEL_LIBRARIES is INFO or DEBUG) writes each request's URL: its query
string is cut off, since a diary link's token (ops/report_links.py) opens a health record.
"""
from __future__ import annotations

import logging
import re
import traceback
import warnings
from typing import Any

OWN_LOGGERS = ("ops", "channels")
_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"|\{[^\n]*\}|\[[^\n]*\]")
_AFTER_FOUND = re.compile(r"(but found )\S+")
_installed = False


def redact(text: str) -> str:
    return _AFTER_FOUND.sub(r"\1…", _QUOTED.sub("…", text))


def without_query(url: str) -> str:
    return url.split("?", 1)[0] + (" ?…" if "?" in url else "")


class NoQueryStrings(logging.Filter):
    """Cuts the query string out of Sanic's access records (their URL is in the `request` extra)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if isinstance(request, str) and "?" in request:
            record.request = without_query(request)
        return True


def install() -> None:
    """Idempotent: the Rasa server imports several modules that call it."""
    global _installed
    if _installed:
        return
    _installed = True
    logging.getLogger("sanic.access").addFilter(NoQueryStrings())
    make_record = logging.getLogRecordFactory()

    def private_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        if not record.name.startswith(OWN_LOGGERS):
            try:
                record.msg, record.args = redact(record.getMessage()), None
            except Exception:  # noqa: BLE001 - a malformed record is logged as it is, as before
                pass
            if record.exc_info and record.exc_info[1] is not None:
                # The traceback keeps its frames; the exception's own text (which may quote a request) is redacted.
                error = record.exc_info[1]
                frames = "".join(traceback.format_tb(error.__traceback__))
                record.msg = f"{record.msg}\nTraceback (most recent call last):\n{frames}" \
                             f"{type(error).__name__}: {redact(str(error))}"
                record.exc_info, record.exc_text = None, None
        return record

    logging.setLogRecordFactory(private_record)
    show = warnings.showwarning

    def private_warning(message, category, filename, lineno, file=None, line=None) -> None:
        show(redact(str(message)), category, filename, lineno, file, line)

    warnings.showwarning = private_warning
