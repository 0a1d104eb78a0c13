"""What a channel keeps in memory across updates is bounded (issue 23): Rasa's Telegram blueprint makes one
output channel for every update, so the diary links it remembers must not grow for ever."""
from __future__ import annotations

from channels.telegram import TelegramOutputAt


def test_telegrams_memory_of_sent_links_is_bounded():
    output = TelegramOutputAt("123456:TEST-backline-token", "http://127.0.0.1:9")
    for number in range(5000):
        output.delivered.add(f"http://localhost:5005/webhooks/rest/diary/chart.png?token=t{number}")
    assert len(output.delivered) <= 1000
    newest = "http://localhost:5005/webhooks/rest/diary/chart.png?token=t4999"
    assert newest in output.delivered, "the links of the reply being sent are still known"
