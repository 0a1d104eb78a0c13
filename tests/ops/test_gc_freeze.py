"""ops/gc_freeze.py: the start-up objects are frozen once, at the first message, and only with the speed-up on."""
import gc

import pytest

from ops import gc_freeze


@pytest.fixture
def calls(monkeypatch):
    """gc.collect and gc.freeze recorded instead of run (the test process itself is not frozen)."""
    made = []
    monkeypatch.setattr(gc_freeze, "_frozen", False)
    monkeypatch.setattr(gc, "collect", lambda *args: made.append("collect"))
    monkeypatch.setattr(gc, "freeze", lambda: made.append("freeze"))
    return made


def test_the_first_call_collects_then_freezes_and_later_calls_do_nothing(calls, monkeypatch):
    monkeypatch.delenv("BACKLINE_SPEEDUPS_OFF", raising=False)
    gc_freeze.freeze_once()
    gc_freeze.freeze_once()
    assert calls == ["collect", "freeze"]


def test_switched_off_nothing_is_frozen(calls, monkeypatch):
    monkeypatch.setenv("BACKLINE_SPEEDUPS_OFF", "gc_freeze")
    gc_freeze.freeze_once()
    assert calls == []


def test_every_channel_freezes_before_its_first_message_is_handled(calls, monkeypatch):
    import asyncio

    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    from channels import guarded

    monkeypatch.delenv("BACKLINE_SPEEDUPS_OFF", raising=False)
    seen = []

    async def on_new_message(message):
        seen.append(list(calls))

    asyncio.run(guarded(on_new_message)(UserMessage("hi", CollectingOutputChannel(), "freeze-test")))
    assert seen == [["collect", "freeze"]]
