"""The long-conversation bench's same-message growth (bench/longconv.py): it compares like with like, so a mix whose
late turns are other, dearer messages shows no growth when each message costs what it did."""
from __future__ import annotations

import math
from dataclasses import dataclass

from bench.longconv import growth, same_message_growth


@dataclass
class FakeTurn:
    text: str
    latency: float
    ok: bool = True


def conversation(early_cost, late_cost, late_extra=0.0, turns=200):
    """Six messages cycled; from turn 100 on, half the turns are a seventh, dearer message (late_extra)."""
    out = []
    for position in range(turns):
        text = f"message {position % 6}" if position < 100 else f"message {(position // 2) % 6}"
        cost = early_cost if position < 100 else late_cost
        if position >= 100 and position % 2:
            text, cost = "a dearer message", late_cost + late_extra
        out.append(FakeTurn(text, cost))
    return out


def test_the_same_messages_costing_the_same_late_is_no_growth_whatever_else_is_sent():
    run = conversation(0.010, 0.010, late_extra=0.020)
    assert growth([t.latency for t in run]) > 1.5  # the window ratio sees the dearer message
    same = same_message_growth([run])
    assert same["ratio"] == 1.0 and same["texts"] == 6


def test_the_same_messages_costing_more_late_is_growth():
    same = same_message_growth([conversation(0.010, 0.020)])
    assert math.isclose(same["ratio"], 2.0) and same["texts"] == 6


def test_failed_turns_and_too_few_shared_texts_give_no_figure():
    run = [FakeTurn(f"only early {i}", 0.01) if i < 100 else FakeTurn(f"only late {i}", 0.01) for i in range(200)]
    assert math.isnan(same_message_growth([run])["ratio"])
    failed = [FakeTurn(t.text, t.latency, ok=False) for t in conversation(0.01, 0.01)]
    assert same_message_growth([failed])["texts"] == 0
