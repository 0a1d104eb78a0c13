"""The NLU parse of a message (the clinical reader's reading among it) runs in a worker thread, not on the
event loop (written for Rasa 3.6.21; installed by components/rasa_patches.py, which lists it with the other names it
replaces).

Why. Rasa's `MessageProcessor.parse_message` is `async` but runs the whole NLU graph synchronously on the
Rasa server's event loop, and the clinical reader's cost grows with the message (about 35 ms per 1,000
characters here): while one long message was read, every other conversation waited (a 1 MB Slack message
held the server 13 s). Every channel now refuses a message over BACKLINE_MAX_MESSAGE_CHARS before it is
read (channels.guarded), which bounds one parse; here the parse itself leaves the loop, so replies, store
calls and the other conversations' turns go on meanwhile.

What changes. Only where `_parse_message_with_graph` runs: the same call, with the same arguments, in one of
READERS threads, then Rasa's own `_update_full_retrieval_intent` and `_check_for_unseen_features`, as in
`parse_message`, in the turn's context (contextvars). (Rasa's debug line with the parse data, message text
included, is not written.) The
message's tracker is not changed by the NLU graph, and the lock store keeps the conversation's other
messages waiting. The reader holds no per-message state: its matchers are read-only once built, and spaCy
keeps the interpreter lock while it matches. A processor with an HTTP interpreter is left to Rasa.
"""
from __future__ import annotations

import asyncio
import contextvars
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.trackers import DialogueStateTracker

READERS = 2  # two long messages at once do not hold up a third conversation's short one
_RASA_PARSE = MessageProcessor.parse_message
_readers = ThreadPoolExecutor(max_workers=READERS, thread_name_prefix="backline-reading")


async def parse_message(self: MessageProcessor, message: UserMessage, tracker: Optional[DialogueStateTracker] = None,
                        only_output_properties: bool = True) -> Dict[Text, Any]:
    """MessageProcessor.parse_message with the NLU graph run in a reading thread."""
    if self.http_interpreter:
        return await _RASA_PARSE(self, message, tracker, only_output_properties)
    if tracker is None:
        tracker = DialogueStateTracker.from_events(message.sender_id, [])
    # In the turn's context: the log redaction knows the message's words there too (ops/log_privacy.py).
    parse_data = await asyncio.get_running_loop().run_in_executor(
        _readers, contextvars.copy_context().run, self._parse_message_with_graph, message, tracker,
        only_output_properties)
    self._update_full_retrieval_intent(parse_data)
    self._check_for_unseen_features(parse_data)
    return parse_data
