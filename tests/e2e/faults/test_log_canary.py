"""No message text in the logs on the failure paths either: a canary word in messages answered while the
action server refuses connections, is too slow, or has stopped (the safety net's path), must not appear at
INFO or above in the Rasa server's log. (The healthy paths of every channel: tests/channels.)"""
from __future__ import annotations

import re
import uuid

from .conftest import ACTION_TIMEOUT, new_sender

LEVEL = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:,\d+)? (DEBUG|INFO|WARNING|ERROR|CRITICAL)\b")


def test_the_canary_stays_out_of_the_logs_while_the_action_server_fails(healthy):
    stack, canary = healthy, f"plover{uuid.uuid4().hex[:8]}"
    sender = new_sender("canary")
    stack.say(sender, f"my husband has MS {canary} and his back hurts")
    stack.proxy.refuse()
    stack.say(sender, f"burning {canary} in his mid back")
    stack.say(new_sender("canary"), f"my dad has ALS {canary} and fell out of bed")
    stack.proxy.start()
    stack.proxy.delay = ACTION_TIMEOUT + 2
    stack.say(sender, f"not sure {canary}")
    stack.proxy.delay = 0.0
    level = "INFO"
    for line in stack.rasa.log.read_text(errors="replace").splitlines():
        match = LEVEL.match(line)
        level = match.group(1) if match else level
        assert not (canary in line and level != "DEBUG"), line[:300]
