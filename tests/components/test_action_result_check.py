"""The action server's response checked event by event against its own type's schema
(components/action_result_check.py) gets the full schema's verdict, and Rasa's error when it is invalid."""
import copy
from datetime import datetime

import pytest
import rasa_sdk.events as sdk
from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.core import events as rasa

from components import action_result_check as check

pytestmark = pytest.mark.usefixtures("speedups_on")

PARSE = {"text": "my back hurts", "intent": {"name": "describe_pain", "confidence": 0.9},
         "intent_ranking": [{"name": "describe_pain", "confidence": 0.9}],
         "entities": [{"entity": "condition", "value": "ms", "start": 0, "end": 2, "extractor": None}],
         "response_selector": {"all_retrieval_intents": []}}


def sdk_events():
    """Every event the action server's SDK writes, as it writes them (the actions use SlotSet and AllSlotsReset)."""
    return [
        sdk.SlotSet("triage", "seek_care_now"), sdk.SlotSet("red_flags", ["fever"]), sdk.SlotSet("case", None),
        sdk.SlotSet("case", {"severity": 7, "findings": [{"kind": "fever"}]}, timestamp=1.5),
        sdk.AllSlotsReset(), sdk.BotUttered("Seek care now", {"buttons": [{"title": "ok", "payload": "/affirm"}]},
                                            metadata={"backline_safety_net": True}),
        sdk.UserUttered("my back hurts", PARSE, input_channel="rest"), sdk.ActionExecuted("action_listen"),
        sdk.ActionExecuted("utter_greet", policy="RulePolicy", confidence=1.0), sdk.FollowupAction("action_restart"),
        sdk.Form("symptom_form"), sdk.Form(None), sdk.ActiveLoop("symptom_form"), sdk.ActiveLoop(None),
        sdk.FormValidation(False), sdk.LoopInterrupted(True), sdk.ActionExecutionRejected("symptom_form"),
        sdk.Restarted(), sdk.SessionStarted(), sdk.ReminderScheduled("remind", datetime(2026, 12, 4, 10)),
        sdk.ReminderCancelled(name="remind"), sdk.ConversationPaused(), sdk.ConversationResumed(),
        sdk.StoryExported(), sdk.ActionReverted(), sdk.UserUtteranceReverted(), sdk.AgentUttered("hi"),
    ]


def rasa_events():
    """Rasa's own events as it writes them, those the SDK has no class for included."""
    return [event.as_dict() for event in [
        rasa.SlotSet("condition", "ms"), rasa.AllSlotsReset(), rasa.BotUttered("hi", {"buttons": None}),
        rasa.UserUttered("my back hurts", PARSE["intent"], PARSE["entities"], parse_data=PARSE),
        rasa.ActionExecuted("symptom_form", policy="RulePolicy", confidence=1.0), rasa.FollowupAction("x"),
        rasa.LegacyForm("symptom_form"), rasa.ActiveLoop("symptom_form"), rasa.LegacyFormValidation(True),
        rasa.LoopInterrupted(False), rasa.ActionExecutionRejected("symptom_form"), rasa.Restarted(),
        rasa.SessionStarted(), rasa.EntitiesAdded([{"entity": "condition", "value": "ms"}]),
        rasa.DefinePrevUserUtteredFeaturization(False), rasa.ReminderCancelled(name="remind"),
        rasa.ConversationPaused(), rasa.ConversationResumed(), rasa.StoryExported(), rasa.ActionReverted(),
        rasa.UserUtteranceReverted(), rasa.AgentUttered("hi"),
    ]]


# Older SDKs' names for active_loop and loop_interrupted, which today's SDK and Rasa write under the new names.
LEGACY = [{"event": "form", "name": "symptom_form", "timestamp": None}, {"event": "form", "name": None},
          {"event": "form_validation", "validate": False, "timestamp": None}]


def valid_responses():
    responses = [{"events": [event], "responses": []} for event in sdk_events() + rasa_events() + LEGACY]
    responses += [{"events": sdk_events(), "responses": [{"text": "hi"}, {"template": "utter_greet"}]},
                  {"events": rasa_events()}, {"responses": [{"text": "hi"}]}, {}, {"events": []},
                  {"events": [{"event": "slot", "name": "x", "value": None, "timestamp": None, "metadata": None}]},
                  {"events": [sdk.SlotSet("x", 1)], "something_else": 1}]
    return responses


def broken(**changes):
    """A slot event with some keys changed (None: removed)."""
    event = dict(sdk.SlotSet("triage", "self_care"))
    for key, value in changes.items():
        if value is None:
            event.pop(key)
        else:
            event[key] = value
    return {"events": [sdk.BotUttered("hi"), event], "responses": []}


def invalid_responses():
    user = dict(sdk.UserUttered("hi", PARSE))
    return [
        {"events": [{"event": "no_such_event"}]}, broken(event="slots"), broken(event="SLOT"), broken(event=""),
        broken(value=None), broken(name=None), broken(name=3), broken(event=None), broken(event=1),
        broken(event=["slot"]), broken(event={"slot": 1}), broken(timestamp="now"), broken(metadata=["x"]),
        {"events": {"event": "slot", "name": "x", "value": 1}}, {"events": "slot"}, {"events": None},
        {"events": ["slot"]}, {"events": [None]}, {"events": [["slot", "x", 1]]}, {"events": [{}]},
        {"events": [sdk.SlotSet("x", 1)], "responses": {"text": "hi"}}, {"responses": ["hi"]},
        {"events": [{"event": "entities"}]}, {"events": [{"event": "entities", "entities": [{"entity": "x"}]}]},
        {"events": [{**user, "text": 3}]}, {"events": [{**user, "parse_data": "hi"}]},
        {"events": [{**user, "parse_data": {**PARSE, "intent": {"name": 1}}}]},
        {"events": [{**user, "parse_data": {**PARSE, "response_selector": "x"}}]},
        {"events": [{"event": "action", "name": 1}]}, {"events": [{"event": "action", "hide_rule_turn": "no"}]},
        [], None, "events", 3,
    ]


def test_every_event_type_the_schema_knows_is_among_the_valid_responses():
    schema = RemoteAction.action_response_format_spec()
    names = {branch["properties"]["event"]["const"] for branch in schema["properties"]["events"]["items"]["oneOf"]}
    covered = {event["event"] for response in valid_responses() for event in response.get("events", [])}
    assert names == covered


def test_every_branch_is_picked_by_its_event_name():
    assert check.validators().by_event is not None  # Rasa's schema is split, not left to the full check


@pytest.mark.parametrize("response", valid_responses() + invalid_responses())
def test_the_verdict_is_the_full_schemas(response):
    validators = check.validators()
    assert validators.is_valid(response) == validators.full.is_valid(response)


@pytest.mark.parametrize("response", valid_responses())
def test_valid_responses_pass(response):
    assert check.validate_action_result(None, copy.deepcopy(response)) is True


@pytest.mark.parametrize("response", invalid_responses())
def test_invalid_responses_get_rasas_error_and_message(response):
    with pytest.raises(ValidationError) as ours:
        check.validate_action_result(None, response)
    schema = RemoteAction.action_response_format_spec()
    with pytest.raises(ValidationError) as full:  # the check before this speed-up: the full schema's first error
        validator_for(schema)(schema).validate(response)
    assert ours.value.message == full.value.message + check.HINT
    assert list(ours.value.path) == list(full.value.path)
    with pytest.raises(ValidationError) as rasas:  # Rasa's own: the same verdict and hint (its best-match error)
        check._RASA_VALIDATE(RemoteAction("action_x", None), response)
    assert rasas.value.message.endswith(check.HINT)


def test_a_branch_not_picked_by_the_event_name_leaves_the_full_check():
    schema = copy.deepcopy(RemoteAction.action_response_format_spec())  # its parts are Rasa's module constants
    schema["properties"]["events"]["items"]["oneOf"].append({"properties": {"name": {"const": "x"}}})
    validators = check._Validators(schema)
    assert validators.by_event is None
    for response in valid_responses() + invalid_responses():
        assert validators.is_valid(response) == validators.full.is_valid(response)


def test_switched_off_it_is_the_full_check(monkeypatch):
    monkeypatch.setenv("BACKLINE_SPEEDUPS_OFF", "action_result_check")
    calls = []
    monkeypatch.setattr(check._Validators, "is_valid", lambda *args: calls.append(args) or True)
    with pytest.raises(ValidationError):
        check.validate_action_result(None, {"events": [{"event": "no_such_event"}]})
    assert check.validate_action_result(None, {"events": [dict(sdk.SlotSet("x", 1))]}) is True
    assert not calls
