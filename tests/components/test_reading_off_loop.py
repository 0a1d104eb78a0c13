"""The NLU parse (the clinical reader's reading among it) leaves the Rasa server's event loop free: while one
message is read, the loop runs everything else (components/reading_off_loop.py, installed with the model).

No timing: the parse below waits until the loop has run another coroutine. On the event loop that can never
happen (the parse holds the loop), so the wait gives up and the test fails; in a reading thread the loop runs
the other coroutine at once."""
from __future__ import annotations

import asyncio
import contextvars
import threading

from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor

from components import rasa_patches

LOOP_GIVES_UP = 10.0  # seconds the parse waits for the loop before it concludes the loop is blocked
probe: "contextvars.ContextVar[str]" = contextvars.ContextVar("probe", default="")


class Processor:
    """The parts of MessageProcessor that parse_message uses, with a parse that checks the loop is free."""

    http_interpreter = None
    domain = None

    def __init__(self, loop_ran: threading.Event) -> None:
        self.loop_ran = loop_ran
        self.seen = {}

    def _parse_message_with_graph(self, message, tracker, only_output_properties=True):
        self.seen["loop_was_free"] = self.loop_ran.wait(LOOP_GIVES_UP)
        self.seen["context"] = probe.get()
        return {"text": message.text, "intent": {"name": "greet", "confidence": 1.0}, "entities": []}

    def _update_full_retrieval_intent(self, parse_data):
        pass

    def _check_for_unseen_features(self, parse_data):
        pass


def test_another_coroutine_runs_while_a_message_is_read():
    rasa_patches.install()  # what loading the model does in the Rasa server (the conftest undoes it)
    loop_ran = threading.Event()
    processor = Processor(loop_ran)

    async def meanwhile():
        await asyncio.sleep(0)
        loop_ran.set()

    async def turn():
        probe.set("this turn")
        other = asyncio.ensure_future(meanwhile())
        parsed = await MessageProcessor.parse_message(processor, UserMessage("my wife has MS", sender_id="x"))
        await other
        return parsed

    parsed = asyncio.run(turn())
    assert parsed["intent"]["name"] == "greet"
    assert processor.seen["loop_was_free"], "the event loop was blocked while the message was read"
    assert processor.seen["context"] == "this turn", "the reading runs in the turn's context (log redaction)"
