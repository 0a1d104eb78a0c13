"""The pain diary end to end over REST, with the real servers and the trained model: a caregiver builds a
diary across several days (the days come in the caregiver's own words, worked out by the test from
today), reads it back, fetches the chart, the report and the export through the links the bot gives,
and deletes the conversation, which deletes the diary."""
from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import datetime, timedelta, timezone

import pytest
import requests

from harness.conversation import TOPICS, answer_for, new_sender, texts
from harness.servers import running_backline, trained_model_dir
from harness.stores import STORES

pytestmark = pytest.mark.e2e

PNG = b"\x89PNG\r\n\x1a\n"
MAX_TURNS = 14  # the symptom form asks at most its eight topics, each at most twice


def links(replies, key):
    """The URLs the bot attached to one turn: `image` (the chart) or `attachment` (the report)."""
    found = []
    for reply in replies:
        value = reply.get(key)
        if isinstance(value, dict):
            value = value.get("url") or (value.get("payload") or {}).get("src")
        if value:
            found.append(value)
    return found


def fetch(url):
    response = requests.get(url, timeout=60)
    assert response.status_code == 200, (response.status_code, response.text[:200])
    assert "no-store" in response.headers.get("cache-control", "")
    return response


def rows(csv_text):
    return list(csv.DictReader(io.StringIO(csv_text)))


def assess(backline, sender, opening):
    """Describe the pain and answer whatever the form asks until the assessment comes."""
    backline.say(sender, opening)
    for _ in range(MAX_TURNS):
        state = backline.tracker(sender)["slots"]
        if state["triage"]:
            return state
        assert state["requested_slot"] in TOPICS, state["requested_slot"]
        backline.say(sender, answer_for(state["requested_slot"]))
    pytest.fail("no assessment after the form's questions")


def day_words(day: datetime) -> str:
    return f"{day.day} {day.strftime('%B')}"


@pytest.fixture(scope="module")
def backline(tmp_path_factory):
    """As `make run` stores it: the conversations and the diary in one SQLite file (WAL), shared by the Rasa
    server (tracker store, file route) and the action server (diary entries)."""
    with running_backline(tmp_path_factory.mktemp("diary-servers"), model=trained_model_dir(),
                          endpoints_extra=STORES) as rasa:
        yield rasa


@pytest.fixture
def sender():
    return new_sender("diary")


def test_a_diary_built_over_several_days_is_read_back_reported_exported_and_deleted(backline, sender):
    today = datetime.now(timezone.utc)
    state = assess(backline, sender, "my husband has MS, his mid back burns and stabs, worse with heat and stress")
    assert state["pain_type"] == "neuropathic"

    rating = backline.say(sender, "about 4")  # the question after the assessment: how bad is it now
    assert "diary" in texts(rating).lower()  # then the offer to keep a diary
    saved = backline.say(sender, "yes, keep it in the diary")
    assert "saved in the diary" in texts(saved).lower()

    nine_days_ago = today - timedelta(days=9)
    backline.say(sender, f"log: on {day_words(nine_days_ago)}, burning in his lower back after a hot shower, 5")
    backline.say(sender, "log: 3 days ago, bad night with spasms, about 7, a warm bath helped")
    backline.say(sender, "log: yesterday, sore back after sitting all afternoon, mild")
    # A red flag in an entry: the entry is confirmed, then the emergency, the last thing said (issue 24).
    flagged = backline.say(sender, "log: this morning he suddenly can't feel his legs and his back hurts, 8")
    said = [reply.get("text", "").lower() for reply in flagged]
    saved_at = next(i for i, text in enumerate(said) if "saved in the diary" in text)
    assert any("emergency" in text for text in said[saved_at + 1:]), said
    assert said[-1].startswith("while you wait"), said  # followed only by the steps for while they wait
    state = backline.tracker(sender)["slots"]
    assert state["triage"] == "seek_care_now" and "leg_numbness" in state["red_flags"]

    # Read back: the text summary and the chart, served by the Rasa server itself.
    shown = backline.say(sender, "show the diary")
    summary = texts(shown)
    assert "5 entries" in summary
    assert day_words(nine_days_ago) in summary  # the first day, in plain words
    assert "emergency signs on" in summary.lower()
    charts = links(shown, "image")
    assert charts and charts[0].startswith(backline.url)
    chart = fetch(charts[0])
    assert chart.headers["content-type"] == "image/png" and chart.content.startswith(PNG)

    report_turn = backline.say(sender, "send me the report for the neurologist")
    reports = links(report_turn, "attachment")
    assert reports, report_turn
    report = fetch(reports[0])
    assert report.headers["content-type"] == "application/pdf" and report.content.startswith(b"%PDF")

    exported = backline.say(sender, "can you export the diary as a csv")
    csv_link = next(word for word in texts(exported).split() if "/diary/diary.csv" in word)
    entries = rows(fetch(csv_link).text)
    assert len(entries) == 5
    severities = sorted(int(entry["Severity (0-10)"]) for entry in entries if entry["Severity (0-10)"])
    assert severities == [3, 4, 5, 7, 8]
    days = {entry["Date"] for entry in entries}
    assert nine_days_ago.strftime("%Y-%m-%d") in days
    assert (today - timedelta(days=3)).strftime("%Y-%m-%d") in days
    assert any("sudden numbness in the legs" in entry["Emergency signs"] for entry in entries)

    # A link is for its own conversation only: a forged token is refused.
    forged = requests.get(charts[0][:-4] + ("AAAA" if not charts[0].endswith("AAAA") else "BBBB"), timeout=30)
    assert forged.status_code == 403

    backline.say(sender, "delete my conversation")
    done = backline.say(sender, "yes, delete it")
    assert "deleted" in texts(done).lower()
    assert rows(fetch(csv_link).text) == []  # the link still signs, but there is nothing left to show
    assert backline.tracker(sender)["slots"]["case"] is None


def test_an_entry_with_nothing_in_it_is_asked_about_once_and_never_stored_empty(backline, sender):
    asked = backline.say(sender, "log:")
    assert "what should i put in the diary" in texts(asked).lower()
    backline.say(sender, "hmm")
    shown = backline.say(sender, "show the diary")
    assert "empty" in texts(shown).lower()
    assert not links(shown, "image")


def test_an_entry_whose_day_is_unclear_is_asked_when(backline, sender):
    asked = backline.say(sender, "log: the other day, spasms in her lower back, about 6")
    assert "when was this" in texts(asked).lower()
    saved = backline.say(sender, "yesterday")
    assert "saved in the diary" in texts(saved).lower()
    yesterday = datetime.now(timezone.utc) - timedelta(days=1)
    assert yesterday.strftime("%A") in texts(saved) or "yesterday" in texts(saved).lower()


def pdf_text(data: bytes) -> str:
    """The PDF's text as a reader gets it (pdftotext, poppler-utils: scripts/install.sh installs it)."""
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: install poppler-utils (make install does, with apt-get)")
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, timeout=60, check=True)
    return " ".join(done.stdout.decode("utf-8").split())


def test_a_plain_entry_and_an_emergency_from_the_conversation_are_both_in_the_report(backline, sender):
    """Issue 24: "pain 6/10 today" was noted and never stored; an emergency told in the conversation never
    reached the diary, and the same day's report said "No emergency signs recorded"."""
    rated = backline.say(sender, "pain 6/10 today")
    assert "diary" in texts(rated).lower()  # kept with one yes
    assert "saved in the diary" in texts(backline.say(sender, "yes")).lower()
    escalated = backline.say(sender, "my wife has MS and her back hurts, and now she has a high fever and shivers")
    assert "emergency" in texts(escalated).lower()
    assert backline.tracker(sender)["slots"]["triage"] == "seek_care_now"

    report_turn = backline.say(sender, "send me the report for the neurologist")
    reports = links(report_turn, "attachment")
    assert reports, report_turn
    text = pdf_text(fetch(reports[0]).content)
    today = datetime.now(timezone.utc)
    day = f"{today:%a} {today.day} {today:%b}"
    assert f"{day}: a high temperature or shivering (told in the conversation)" in text, text[:3000]
    assert "No emergency signs recorded" not in text
    assert f"{day} 6 " in text  # the plain entry: its day and its rating, in the day-by-day table
    assert "Name:" in text and "Date of birth:" in text and "MS (multiple sclerosis)" in text
