"""The actions act only for the conversation the Rasa server sent (`tracker.sender_id`, issue 23): another id
named in the message, in a slot or in the message's entities never reaches the diary store, a link or a delete.
(The other half, that only the Rasa server can call them, is ops/action_guard.py: tests/e2e/test_doors.py.)"""
from datetime import datetime, timezone

import pytest

from actions import diary, privacy

OWNER = "rest-owner-7f3a9c21"
OTHERS = ("telegram:987654321", "slack:U024BE7LH", "web:" + "0" * 32, "987654321", "someone-else")
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)


class RecordingStore:
    """A diary store that remembers every conversation id it was asked about."""

    def __init__(self):
        self.touched, self.rows = [], []

    def add(self, conversation, entry):
        self.touched.append(conversation)
        self.rows.append(dict(entry))
        return len(self.rows)

    def entries(self, conversation):
        self.touched.append(conversation)
        return [{**row, "id": i + 1} for i, row in enumerate(self.rows)]

    def delete_conversation(self, conversation):
        self.touched.append(conversation)
        return 0


@pytest.fixture
def store(monkeypatch):
    fake, links = RecordingStore(), []
    monkeypatch.setattr(diary, "store", lambda: fake)
    monkeypatch.setattr(diary, "clock", lambda: NOW)
    monkeypatch.setattr(diary, "link", lambda conversation, kind: links.append(conversation) or "https://x/l")
    fake.links = links
    return fake


def pointed_elsewhere(make_tracker, text, intent):
    """The owner's tracker, with every other id in the text, in slots and in the message's entities."""
    tracker = make_tracker(text + " for " + " ".join(OTHERS), intent=intent,
                           slots={"sender_id": OTHERS[0], "conversation_id": OTHERS[1], "sender": OTHERS[2]},
                           sender=OWNER)
    tracker.latest_message["entities"] = [{"entity": "sender_id", "value": other} for other in OTHERS]
    tracker.latest_message["metadata"] = {"sender_id": OTHERS[0]}
    return tracker


@pytest.mark.parametrize("text, intent", [
    ("log: bad night, spasms in her lower back, about 7", "log_diary"),
    ("show the diary", "show_diary"),
    ("send me the report", "request_report"),
    ("export the diary as csv", "export_diary"),
])
def test_the_diary_actions_act_for_the_tracker_s_own_conversation_only(make_tracker, run_action, store, text,
                                                                         intent):
    run_action(diary.ActionDiary(), pointed_elsewhere(make_tracker, "log: she fell, about 6", "log_diary"))
    run_action(diary.ActionDiary(), pointed_elsewhere(make_tracker, text, intent))
    assert store.touched and set(store.touched) == {OWNER}
    assert store.links == ([] if intent == "log_diary" else [OWNER]), "a link, and only to the owner's diary"


def test_delete_acts_for_the_tracker_s_own_conversation_only(make_tracker, run_action, monkeypatch):
    from ops import diary_store

    fake = RecordingStore()
    monkeypatch.setattr(diary_store, "diary_store", lambda: fake)
    run_action(privacy.ActionDeleteConversation(), pointed_elsewhere(make_tracker, "delete my conversation",
                                                                     "delete_conversation"))
    assert fake.touched == [OWNER]
