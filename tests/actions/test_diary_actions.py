"""The diary's actions with a fake store and fake links (the real ones are ops/diary_store.py and
ops/report_links.py): what is stored, what is said, which picture or file goes with it, and that a
failing store is told plainly without losing an escalation."""
from datetime import datetime, timezone

import pytest

import bot
from actions import actions, diary

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)


class FakeStore:
    def __init__(self, fail=False):
        self.rows, self.fail = {}, fail

    def add(self, conversation, entry):
        if self.fail:
            raise ConnectionError("database is down")
        self.rows.setdefault(conversation, []).append(dict(entry))
        return len(self.rows[conversation])

    def entries(self, conversation):
        if self.fail:
            raise ConnectionError("database is down")
        return [{**e, "id": i + 1} for i, e in enumerate(self.rows.get(conversation, []))]


@pytest.fixture
def store(monkeypatch):
    fake = FakeStore()
    monkeypatch.setattr(diary, "store", lambda: fake)
    monkeypatch.setattr(diary, "link", lambda conversation, kind: f"https://backline.test/diary/{kind}?t=signed")
    monkeypatch.setattr(diary, "clock", lambda: NOW)
    return fake


def slot_values(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def said(messages):
    return " ".join(m.get("text") or "" for m in messages)


def log(make_tracker, run_action, text, case=None, sender="t1", intent=None):
    routed = bot.route(text, intent or "log_diary", 0.9).intent or intent
    action = actions.ActionEscalate() if routed == "report_red_flag" else diary.ActionDiary()
    return run_action(action, make_tracker(text, intent=routed, slots={"case": case}, sender=sender))


def test_a_quick_entry_is_stored_and_confirmed(make_tracker, run_action, store):
    messages, events = log(make_tracker, run_action, "log: last night spasms in her lower back, about 7")
    entry = store.rows["t1"][0]
    assert entry["when"] == "2026-11-25T22:00:00+00:00" and entry["severity"] == 7
    assert "Saved in the diary for Wednesday 25 November" in said(messages)
    assert slot_values(events)["case"]["diary_consent"] is True


def test_an_empty_entry_is_asked_about_and_nothing_is_stored(make_tracker, run_action, store):
    messages, events = log(make_tracker, run_action, "log it")
    assert store.rows == {} and "What should I put in the diary" in said(messages)
    assert slot_values(events)["follow_up"] is True


def test_a_red_flag_in_an_entry_is_stored_and_the_emergency_is_said_last(make_tracker, run_action, store):
    messages, events = log(make_tracker, run_action, "log: she fell this morning and can't feel her legs")
    assert "Saved in the diary" in messages[0]["text"]
    assert messages[1]["text"].startswith("Seek care now") and len(messages) == 3
    assert messages[-1]["text"].startswith("While you wait"), "only the steps for while they wait follow it"
    assert slot_values(events)["triage"] == "seek_care_now"
    assert store.rows["t1"][0]["red_flags"]


def test_a_failing_store_is_told_plainly_and_the_escalation_stands(make_tracker, run_action, monkeypatch, store):
    monkeypatch.setattr(diary, "store", lambda: FakeStore(fail=True))
    messages, events = log(make_tracker, run_action, "log: she fell this morning and can't feel her legs")
    assert messages[0]["text"].startswith("Seek care now")
    assert "couldn't save this in the diary" in messages[-1]["text"]
    assert slot_values(events)["triage"] == "seek_care_now"
    messages, _ = log(make_tracker, run_action, "show the diary", intent="show_diary")
    assert "couldn't reach the diary" in said(messages)


def test_show_gives_the_summary_and_the_chart_link(make_tracker, run_action, store):
    log(make_tracker, run_action, "log: on Tuesday spasms, about 6, rest helped")
    log(make_tracker, run_action, "log: last night spasms again after a sudden movement, about 8")
    messages, _ = log(make_tracker, run_action, "show the diary", intent="show_diary")
    assert "2 entries, Tuesday 24 November to Wednesday 25 November." in said(messages)
    assert messages[0]["image"] == "https://backline.test/diary/chart.png?t=signed"


def test_the_report_comes_as_a_pdf_link(make_tracker, run_action, store):
    log(make_tracker, run_action, "log: spasms, about 6")
    messages, _ = log(make_tracker, run_action, "send me the report", intent="request_report")
    url = "https://backline.test/diary/report.pdf?t=signed"
    assert url in said(messages)
    assert messages[0]["attachment"] == {"type": "file", "url": url, "name": "backline-care-team-report.pdf"}


def test_the_export_comes_as_a_csv_link(make_tracker, run_action, store):
    log(make_tracker, run_action, "log: spasms, about 6")
    messages, _ = log(make_tracker, run_action, "export the diary as csv", intent="export_diary")
    assert "https://backline.test/diary/diary.csv?t=signed" in said(messages)


def test_an_empty_diary_says_so_and_how_to_add(make_tracker, run_action, store):
    messages, _ = log(make_tracker, run_action, "show the diary", intent="show_diary")
    assert "empty" in said(messages) and "log:" in said(messages) and not messages[0].get("image")


def test_each_conversation_reads_only_its_own_diary(make_tracker, run_action, store):
    log(make_tracker, run_action, "log: spasms, about 6", sender="web:a")
    messages, _ = log(make_tracker, run_action, "show the diary", sender="web:b", intent="show_diary")
    assert "empty" in said(messages)


def test_in_the_terminal_the_chart_is_a_private_file(make_tracker, run_action, store, monkeypatch, tmp_path):
    from ops import diary_store

    monkeypatch.setattr(diary_store, "reports_root", lambda: tmp_path)
    monkeypatch.setattr(diary, "render", lambda kind, entries, now, condition: b"\x89PNG fake")
    log(make_tracker, run_action, "log: spasms, about 6")
    tracker = make_tracker("show the diary", intent="show_diary")
    tracker.events.insert(1, {"event": "user", "text": "x", "input_channel": "cmdline", "parse_data": {}})
    tracker.events[2]["input_channel"] = "cmdline"
    messages, _ = run_action(diary.ActionDiary(), tracker)
    path = diary_store.rendered_dir("t1") / "chart.png"
    assert path.parent.parent == tmp_path
    assert path.read_bytes() == b"\x89PNG fake" and oct(path.stat().st_mode & 0o777) == "0o600"
    assert str(path) in said(messages) and "1 entry" in said(messages)


def test_yes_to_the_diary_offer_stores_the_assessment(make_tracker, run_action, store):
    case = bot.read_message(None, "my wife has MS, burning pain in her lower back, about 5, worse in the heat, "
                                  "same as always for years")
    case = bot.read_message(case, "none of those", asked_topic="red_flag_screen")
    turn = bot.conclude(case)
    assert turn.case["pending"] == "diary_offer"
    messages, events = run_action(diary.ActionDiary(), make_tracker("yes please", intent="affirm",
                                                                     slots={"case": turn.case}))
    assert store.rows["t1"][0]["pain_type"] == "neuropathic" and store.rows["t1"][0]["severity"] == 5
    assert "Saved in the diary" in said(messages) and slot_values(events)["follow_up"] is False


def test_an_emergency_told_in_the_conversation_is_recorded_in_the_diary_with_its_day(make_tracker, run_action,
                                                                                       store):
    """Issue 24: an emergency reported in the conversation never reached the diary (the same day's report
    said "No emergency signs recorded")."""
    escalated = bot.take_turn(None, "my wife has MS, her back hurts and she has a high fever", "report_red_flag",
                              now=datetime(2026, 11, 25, 18, 30, tzinfo=timezone.utc))
    assert escalated.slots["triage"] == "seek_care_now"
    tracker = make_tracker("show the diary", intent="show_diary", slots={"case": escalated.case})
    messages, _ = run_action(diary.ActionDiary(), tracker)
    (entry,) = store.rows["t1"]
    assert entry["when"][:10] == "2026-11-25" and entry["red_flags"] == ["fever"]
    assert entry["triage"] == "seek_care_now" and entry["source"] == "conversation"
    assert entry["time"] is None and entry["condition"] == "ms"
    assert "Emergency signs on Wednesday 25 November: a high temperature" in said(messages)
    run_action(diary.ActionDiary(), tracker)
    assert len(store.rows["t1"]) == 1  # recorded once, however often the diary is used


def test_a_logged_emergency_is_one_entry_not_two(make_tracker, run_action, store):
    log(make_tracker, run_action, "log: she fell this morning and can't feel her legs")
    assert len(store.rows["t1"]) == 1
