"""The pain diary's actions: adapters between the tracker, the clinical core and the diary's store.

The core (bot.take_turn) decides what the message means and what to say; here the store does its part
(ops.diary_store), the chart, report and export come as links the Rasa server serves (ops.report_links),
and in the terminal (`rasa shell`, input channel "cmdline") as files in var/reports/. The clock is read
here, never in the core. If the store fails the caregiver is told so plainly; an escalation said before
it stands.
"""
from __future__ import annotations

import logging
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

import bot
from actions.adapters import apply, latest_intent, latest_text, say
from reports import render  # the same drawing as the Rasa server's file route (matplotlib loads on use)

logger = logging.getLogger(__name__)
TERMINAL = "cmdline"  # Rasa's input channel name for `rasa shell`
REPORT_NAME = "backline-care-team-report.pdf"
FILES = {"show": "chart.png", "report": "report.pdf", "export": "diary.csv"}


def clock() -> datetime:
    return datetime.now(timezone.utc)


def store():
    from ops.diary_store import diary_store  # the Rasa server's package: imported only when the diary is used

    return diary_store()


def link(conversation: Text, kind: Text) -> Text:
    from ops.report_links import link as signed_link

    return signed_link(conversation, kind)


def write_file(conversation: Text, kind: Text, data: Any) -> Path:
    """A chart, report or export for the terminal, readable by its owner only, in the conversation's own
    folder (deleting the conversation deletes it: ops.diary_store.delete_files)."""
    from ops.diary_store import rendered_dir

    path = rendered_dir(conversation, create=True) / FILES[kind]
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(raw)
    os.chmod(path, 0o600)
    return path


def record_conversation(sender: Text, case: Any) -> None:
    """The conversation's escalations and same-day signs (dated in the case) join the diary when it is next
    used, each once."""
    case = bot.as_case(case)
    for entry in bot.diary.told_in_conversation(case["signs_told"], store().entries(sender), bot.case_condition(case)):
        store().add(sender, entry)


def run_diary(dispatcher: CollectingDispatcher, tracker: Tracker, turn: bot.Turn, now: datetime) -> List[EventType]:
    """Say the turn, then do what it asks of the diary and say how that went. An emergency with an entry asked
    for in the same message: the entry is saved first and said first, so that the emergency is the last thing on
    screen (the replies go out together when the action ends, so the advice waits no longer for it)."""
    request = turn.diary
    sender = tracker.sender_id
    escalated = turn.slots.get("triage") == "seek_care_now"
    if escalated and request and "add" in request:
        try:
            store().add(sender, request["add"])
        except Exception as error:  # noqa: BLE001 - told plainly, after the advice, which stands
            logger.warning("diary store failed (%s) for an add request", type(error).__name__)
            return apply(dispatcher, turn) + say(dispatcher, bot.diary_said(request, False, escalated=True))
        say(dispatcher, bot.diary_said(request, True))
        return apply(dispatcher, turn)
    events = apply(dispatcher, turn)
    if not request:
        return events
    kind = next(k for k in ("add", "show", "report", "export") if k in request)
    try:
        if kind == "add":
            store().add(sender, request["add"])
            record_conversation(sender, turn.case)  # after the entry, which may tell the same sign
            return events + say(dispatcher, bot.diary_said(request, True))
        record_conversation(sender, turn.case)
        entries = store().entries(sender)
    except Exception as error:  # noqa: BLE001 - any store failure is told plainly, never silence
        logger.warning("diary store failed (%s) for a %s request", type(error).__name__, kind)
        return events + say(dispatcher, bot.diary_said(request, False, escalated=escalated))
    case = turn.case
    terminal = tracker.get_latest_input_channel() == TERMINAL
    if terminal or not entries:
        said = bot.diary_said(request, True, entries, now, case, link="")
        if entries:
            data = render(FILES[kind], entries, now, bot.case_condition(bot.as_case(case)))
            path = write_file(sender, kind, data)
            said = said[:1] if kind == "show" else []
            said += bot.replies.messages([bot.knowledge().messages["diary"]["saved_file"].format(path=path)])
        return events + say(dispatcher, said)
    url = link(sender, FILES[kind])
    said = bot.diary_said(request, True, entries, now, case, link=url)
    for message in said:
        if kind == "show":
            dispatcher.utter_message(text=message["text"], image=url)
        elif kind == "report":
            dispatcher.utter_message(text=message["text"], attachment={"type": "file", "url": url, "name": REPORT_NAME})
        else:
            dispatcher.utter_message(text=message["text"])
    return events


class ActionDiary(Action):
    """A diary request ("log: ...", "show the diary", "send me the report", "export as csv"), a rating
    ("about 7"), or the reply to the question after the assessment."""

    def name(self) -> Text:
        return "action_diary"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        now = clock()
        asked = tracker.get_slot("requested_slot")  # set while the form asks: this message interrupts it
        turn = bot.take_turn(tracker.get_slot("case"), latest_text(tracker), latest_intent(tracker), asked,
                             reading=bot.reusable_reading(tracker.latest_message, asked), now=now)
        return run_diary(dispatcher, tracker, turn, now)
