"""The policies' view resumed from a conversation's replay (components/incremental_states.py) is Rasa's own,
on every prefix of a conversation with a form, interruptions, rejections, rewinds, undos, restarts and a new
session; and an appended event costs one step, not a replay from the start."""
import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from components import incremental_states as incremental
from tests.components.conversations import conversation, said

RULE_ONLY = {"rule_only_slots": ["requested_slot"], "rule_only_loops": ["symptom_form"]}
SETTINGS = [dict(), dict(ignore_rule_only_turns=True, rule_only_data=RULE_ONLY), dict(omit_unset_slots=True)]


@pytest.mark.parametrize("step", [1, 3, 7, 12])  # one call per event, or several events between calls
@pytest.mark.parametrize("setting", SETTINGS, ids=["rules", "ml-only", "omit-unset"])
def test_every_prefix_gets_rasas_states(domain, monkeypatch, setting, step):
    monkeypatch.delenv("BACKLINE_SPEEDUPS_OFF", raising=False)
    events = conversation()
    incremental.forget("prefixes")
    for length in list(range(1, len(events), step)) + [len(events)]:
        tracker = DialogueStateTracker.from_events("prefixes", events[:length], domain.slots)
        expected = incremental._RASA_PAST_STATES(tracker, domain, **setting)
        assert incremental.past_states(tracker, domain, **setting) == expected, f"after {events[length - 1]}"
        # and again, as the next policy of the same prediction asks
        assert incremental.past_states(tracker, domain, **setting) == expected


def test_an_appended_event_costs_one_step_not_a_replay(domain, monkeypatch):
    monkeypatch.delenv("BACKLINE_SPEEDUPS_OFF", raising=False)
    events = [ActionExecuted("action_listen")]
    for turn in range(40):
        events += [said(f"question {turn}", "ask_knowledge"), ActionExecuted("action_answer_question"),
                   BotUttered("an answer"), ActionExecuted("action_listen")]
    incremental.forget("long")
    incremental.past_states(DialogueStateTracker.from_events("long", events, domain.slots), domain)
    built = []
    original = Domain.get_active_state
    monkeypatch.setattr(Domain, "get_active_state", lambda self, *a, **k: built.append(1) or original(self, *a, **k))
    events += [said("one more", "ask_knowledge"), ActionExecuted("action_answer_question")]
    tracker = DialogueStateTracker.from_events("long", events, domain.slots)
    states = incremental.past_states(tracker, domain)
    assert len(states) == 83 and len(built) == 2  # the new action's state and the current one
    built.clear()
    assert states == incremental._RASA_PAST_STATES(tracker, domain)
    assert len(built) == 83  # what Rasa builds on every call


def test_a_deleted_conversation_started_again_under_the_same_id_is_replayed_anew(domain, monkeypatch):
    monkeypatch.delenv("BACKLINE_SPEEDUPS_OFF", raising=False)
    incremental.forget("again")
    first = conversation()[:30]
    incremental.past_states(DialogueStateTracker.from_events("again", first, domain.slots), domain)
    second = conversation()[:40]
    second[3] = said("my dad has ALS", "describe_pain")  # another opening, stored later
    second[3].timestamp = 1_800_000_000
    tracker = DialogueStateTracker.from_events("again", second, domain.slots)
    assert incremental.past_states(tracker, domain) == incremental._RASA_PAST_STATES(tracker, domain)


def test_another_model_replays_from_the_start(domain, monkeypatch):
    monkeypatch.delenv("BACKLINE_SPEEDUPS_OFF", raising=False)
    events = conversation()[:20]
    incremental.forget("models")
    tracker = DialogueStateTracker.from_events("models", events, domain.slots)
    incremental.past_states(tracker, domain)
    other = Domain.from_dict(domain.as_dict())
    assert incremental.past_states(tracker, other) == incremental._RASA_PAST_STATES(tracker, other)
    assert incremental._REPLAYS[("models", False, False, "null")].domain is other


def test_switched_off_it_is_rasas_own(domain, monkeypatch):
    monkeypatch.setenv("BACKLINE_SPEEDUPS_OFF", "incremental_states")
    incremental.forget("off")
    tracker = DialogueStateTracker.from_events("off", conversation()[:20], domain.slots)
    assert incremental.past_states(tracker, domain) == incremental._RASA_PAST_STATES(tracker, domain)
    assert not [key for key in incremental._REPLAYS if key[0] == "off"]
