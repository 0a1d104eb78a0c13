"""Keeps message text out of the Rasa server's logs and warnings.

Rasa and Sanic quote what they could not handle: "Failed to parse arguments in line '/...'", "Parsed an
intent '...' which is not defined in the domain", "Invalid entity specification: {...}", an exception
with the request. A caregiver's message is a health detail about a third person, and logs are kept,
shipped and read far more widely than the conversation store. So every log record from a logger that
is not Backline's own (whose messages are written not to carry text), and every Python warning, is redacted
before any handler sees it, three ways over:

1. Rasa's templates that carry text (found by reading rasa 3.6.21's log and warning calls): everything after
   "Failed to parse arguments in line" (the "/intent..." reader's warnings, which quote the line, its rest,
   the intent and entity names it found and the confidence text), the intent or entity of "Parsed an intent
   '...' which is not defined in the domain", and the rest of a line after "but found";
2. any quoted part ('...', "...", with apostrophes inside words such as "can't" kept inside the quote),
   {...} and [...] parts (structlog's JSON lines, with their user_text/text keys, among them);
3. the text of the message being handled (channels.guarded calls `handling(text)` for the turn; a context
   variable, so it follows the turn into its tasks and its reading thread): the whole text, each of its
   lines and each of its words of three or more characters, wherever they appear.

The record factory is used because it survives Sanic's and Rasa's own logging configuration, which replace
handlers and filters. SQL parameters are hidden by the engines themselves (ops/stores.py: hide_parameters).

Sanic's access log (on when LOG_LEVEL_LIBRARIES is INFO or DEBUG) writes each request's URL: its query
string is cut off, since a diary link's token (ops/report_links.py) opens a health record.
"""
from __future__ import annotations

import contextvars
import logging
import re
import traceback
import warnings
from typing import Any, Optional, Pattern

OWN_LOGGERS = ("ops", "channels")
# Rasa's templates that carry the message's text (see the module's docstring).
_TEMPLATES = (
    (re.compile(r"(Failed to parse arguments in line).*", re.S), r"\1 … (the message's text is not logged)"),
    (re.compile(r"(Parsed an (?:intent|entity) ').*(' which is not defined)", re.S), r"\1…\2"),
    (re.compile(r"(but found ).*"), r"\1…"),
)
# A quote opens where no letter precedes it and closes where none follows: "can't" stays inside the quote.
_QUOTED = re.compile(r"(?<!\w)'(?:[^'\n]|'(?=\w))*'(?!\w)|\"[^\"\n]*\"|\{[^\n]*\}|\[[^\n]*\]")
MIN_WORD = 3  # shorter words of a message are too common in log lines to hide ("a", "is", "to")
_installed = False


class Handling:
    """The message being handled: what of it must not reach a log line (its pattern is built when first used)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._pattern: Optional[Pattern] = None

    @property
    def pattern(self) -> Optional[Pattern]:
        if self._pattern is None:
            pieces = {self.text.strip(), *(line.strip() for line in self.text.splitlines())}
            pieces |= {word for word in re.findall(r"\w[\w'’-]*", self.text) if len(word) >= MIN_WORD}
            pieces = sorted((p for p in pieces if p), key=len, reverse=True)
            self._pattern = re.compile("|".join(r"(?<!\w)" + re.escape(p) + r"(?!\w)" for p in pieces)) \
                if pieces else re.compile(r"(?!x)x")
        return self._pattern


_handling: "contextvars.ContextVar[Optional[Handling]]" = contextvars.ContextVar("backline_handling", default=None)


def handling(text: Any) -> None:
    """Marks `text` as the message this turn handles (for the rest of the current context: a request's task)."""
    _handling.set(Handling(text) if isinstance(text, str) and text.strip() else None)


def redact(text: str) -> str:
    for template, replacement in _TEMPLATES:
        text = template.sub(replacement, text)
    text = _QUOTED.sub("…", text)
    current = _handling.get()
    if current is not None and current.pattern is not None:
        text = current.pattern.sub("…", text)
    return text


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
