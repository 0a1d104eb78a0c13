"""The tracker's applied events extended by new events only, and its copy made without a replay
(components/incremental_tracker.py), are Rasa's own: on every prefix of a conversation with a form, a rejection,
rewinds, undos, restarts and a new session, however the events arrive."""
from collections import deque

import pytest
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from components import incremental_tracker as incremental
from tests.components.conversations import conversation, form_turn, said, state_of

pytestmark = pytest.mark.usefixtures("speedups_on")


def rasas_applied(tracker):
    return incremental._RASA_APPLIED_EVENTS(tracker)


@pytest.mark.parametrize("step", [1, 2, 5, 11])
def test_applied_events_of_a_growing_tracker_are_rasas_after_every_step(domain, step):
    events = conversation()
    tracker = DialogueStateTracker("growing", domain.slots)
    for start in range(0, len(events), step):
        for event in events[start:start + step]:
            tracker.update(event)
        assert incremental.applied_events(tracker) == rasas_applied(tracker), f"after {events[start]}"
        assert incremental.applied_events(tracker) == rasas_applied(tracker)  # asked again, unchanged


def test_appended_events_are_applied_one_by_one_not_from_the_first(domain, monkeypatch):
    events = [ActionExecuted("action_listen")]
    for turn in range(50):
        events += [said(f"question {turn}", "ask_knowledge"), ActionExecuted("action_answer_question"),
                   ActionExecuted("action_listen")]
    tracker = DialogueStateTracker.from_events("long", events, domain.slots)
    incremental.applied_events(tracker)
    applied = []
    original = incremental._apply
    monkeypatch.setattr(incremental, "_apply", lambda *args: applied.append(args[1]) or original(*args))
    tracker.update(said("one more", "ask_knowledge"))
    tracker.update(ActionExecuted("action_answer_question"))
    assert incremental.applied_events(tracker) == rasas_applied(tracker)
    assert len(applied) == 2


def test_a_loop_named_for_the_first_time_counts_its_earlier_runs_as_rasa_does(domain):
    # The form ran twice before its loop was ever named: from then on Rasa drops the first run's turn.
    tracker = DialogueStateTracker.from_events("late-loop", [
        ActionExecuted("action_listen"), said("my back hurts", "describe_pain"), ActionExecuted("symptom_form"),
        SlotSet("requested_slot", "pain_location")] + form_turn("pain_location", "lower back", "pain_feel"),
        domain.slots)
    incremental.applied_events(tracker)
    tracker.update(ActiveLoop("symptom_form"))
    tracker.update(ActionExecuted("symptom_form"))
    expected = rasas_applied(tracker)
    assert incremental.applied_events(tracker) == expected
    assert len(expected) < len(tracker.events) - 1  # Rasa did drop events: the case is the one meant


@pytest.mark.parametrize("change", ["shortened", "replaced", "last replaced", "first replaced"])
def test_events_changed_other_than_by_appending_are_applied_from_the_first(domain, change):
    events = conversation()
    tracker = DialogueStateTracker.from_events("changed", events[:40], domain.slots)
    incremental.applied_events(tracker)
    if change == "shortened":
        tracker.events.pop()
        tracker.events.pop()
    elif change == "replaced":
        tracker.events = deque(events[:25] + events[40:60])
    elif change == "last replaced":
        tracker.events.pop()
        tracker.events.append(UserUttered("something else", {"name": "greet"}))
    else:
        tracker.events.popleft()
        tracker.events.appendleft(ActionExecuted("action_session_start"))
    assert incremental.applied_events(tracker) == rasas_applied(tracker)


def test_a_tracker_with_a_bounded_history_is_left_to_rasa(domain):
    tracker = DialogueStateTracker("bounded", domain.slots, max_event_history=10)
    for event in conversation():
        tracker.update(event)
        assert incremental.applied_events(tracker) == rasas_applied(tracker)


def test_the_caller_cannot_change_what_the_next_call_returns(domain):
    tracker = DialogueStateTracker.from_events("caller", conversation()[:30], domain.slots)
    first = incremental.applied_events(tracker)
    first.clear()
    assert incremental.applied_events(tracker) == rasas_applied(tracker) != []


@pytest.mark.parametrize("length", [0, 1, 8, 20, 33, 45, 60, 75, 90, 1000])
def test_a_copy_holds_what_rasas_replay_makes(domain, length):
    events = conversation()[:length]
    tracker = DialogueStateTracker.from_events("copied", events, domain.slots)
    tracker.model_id, tracker.assistant_id, tracker.sender_source = "model", "backline", "rest"
    incremental.applied_events(tracker)
    ours = incremental.copy_tracker(tracker)
    rasas = incremental._RASA_COPY(tracker)
    assert state_of(ours) == state_of(rasas)
    assert incremental.applied_events(ours) == rasas_applied(rasas)


def test_a_copy_changes_without_changing_the_original(domain):
    tracker = DialogueStateTracker.from_events("apart", conversation()[:12], domain.slots)
    assert tracker.active_loop_name == "symptom_form"
    before = state_of(tracker)
    applied = incremental.applied_events(tracker)
    duplicate = incremental.copy_tracker(tracker)
    for event in [SlotSet("pain_location", "neck"), ActiveLoop(None), ActionExecuted("action_assess"),
                  ActionExecuted("action_listen"), said("thanks", "thank")]:
        duplicate.update(event)
    duplicate.active_loop = None
    assert state_of(tracker) == before
    assert incremental.applied_events(tracker) == applied == rasas_applied(tracker)
    assert incremental.applied_events(duplicate) == rasas_applied(duplicate)


def test_switched_off_each_is_rasas_own(domain, monkeypatch):
    monkeypatch.setenv("BACKLINE_SPEEDUPS_OFF", "applied_events,copy_without_replay")
    tracker = DialogueStateTracker.from_events("off", conversation()[:30], domain.slots)
    assert incremental.applied_events(tracker) == rasas_applied(tracker)
    assert "_backline_applied" not in vars(tracker)
    tracker.model_id = "model"
    assert state_of(incremental.copy_tracker(tracker)) == state_of(incremental._RASA_COPY(tracker))
