"""The form's questions put by the Rasa server itself (components/local_questions.py) are what the action server's
`action_ask_<topic>` gives once Rasa has turned its answer into events: the same messages, buttons and slots,
for every topic and for cases at several points of a conversation; any other action still goes to the action
server, and so does every question with the speed-up off."""
import asyncio

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.events import SlotSet, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import bot
from actions import actions
from components import local_questions

OPENINGS = ["my mum has MS and her lower back burns at night", "my husband has ALS, his back is stiff and tight",
            "her back hurts", "he has motor neurone disease and his neck aches after sitting"]


def cases():
    """No case yet, then cases the core made from openings, and the same asked once already on every topic."""
    made = [bot.take_turn(None, text, "describe_pain", None, for_form=True).case for text in OPENINGS]
    asked = []
    for case in made:
        for topic in bot.TOPICS:
            case = bot.ask_turn(case, topic).case
        asked.append(case)
    return [None, *made, *asked]


def without_time(events):
    return [{key: value for key, value in event.as_dict().items() if key != "timestamp"} for event in events]


def through_the_action_server(domain, topic, case):
    """What Rasa makes of actions/actions.py's ask action's answer (RemoteAction.run's own handling)."""
    action = next(cls() for cls in actions.ActionAskTopic.__subclasses__() if cls.topic == topic)
    dispatcher = CollectingDispatcher()
    sdk_tracker = Tracker("ask", {"case": case, "requested_slot": topic}, {}, [], False, None, {}, "symptom_form")
    sdk_events = asyncio.run(action.run(dispatcher, sdk_tracker, {}))
    remote = RemoteAction(f"action_ask_{topic}", EndpointConfig("http://127.0.0.1:9/webhook"))
    said = asyncio.run(remote._utter_responses(dispatcher.messages, CollectingOutputChannel(),
                                               TemplatedNaturalLanguageGenerator(domain.responses),
                                               rasa_tracker(domain, case)))
    return said + deserialise_events(sdk_events)


def rasa_tracker(domain, case):
    tracker = DialogueStateTracker("ask", domain.slots)
    tracker.update(SlotSet("case", case))
    return tracker


def locally(domain, topic, case):
    remote = RemoteAction(f"action_ask_{topic}", EndpointConfig("http://127.0.0.1:9/webhook"))
    return asyncio.run(local_questions.ask(remote, CollectingOutputChannel(),
                                           TemplatedNaturalLanguageGenerator(domain.responses),
                                           rasa_tracker(domain, case), topic))


@pytest.mark.parametrize("topic", bot.TOPICS)
def test_each_question_is_what_the_action_server_would_put(domain, topic):
    for case in cases():
        expected = through_the_action_server(domain, topic, case)
        assert without_time(locally(domain, topic, case)) == without_time(expected)
        assert expected[0].text and any(event.key == "case" for event in expected if isinstance(event, SlotSet))


def test_every_ask_action_of_the_domain_is_a_topic_and_nothing_else_is(domain):
    asks = {name for name in domain.user_actions if name.startswith(local_questions.ASK_PREFIX)}
    assert {local_questions.topic_of(name) for name in asks} == set(bot.TOPICS)
    for other in set(domain.user_actions) - asks:
        assert local_questions.topic_of(other) is None
    assert local_questions.topic_of("action_ask_delete_conversation") is None  # a yes/no of its own form


@pytest.fixture
def installed(monkeypatch):
    """local_questions installed over a remote call that records what reaches the action server."""
    reached = []

    async def remote(self, output_channel, nlg, tracker, domain):
        reached.append(self.name())
        return []

    monkeypatch.setattr(RemoteAction, "run", remote)
    local_questions.install()
    return reached


def run(action_name, domain, case=None):
    action = RemoteAction(action_name, EndpointConfig("http://127.0.0.1:9/webhook"))
    return asyncio.run(action.run(CollectingOutputChannel(), TemplatedNaturalLanguageGenerator(domain.responses),
                                  rasa_tracker(domain, case), domain))


def test_questions_stay_here_and_every_other_action_goes_to_the_action_server(domain, installed, monkeypatch):
    monkeypatch.delenv("BACKLINE_SPEEDUPS_OFF", raising=False)
    assert run("action_ask_pain_feel", domain)[0].text
    assert run("validate_symptom_form", domain) == [] and run("action_assess", domain) == []
    assert installed == ["validate_symptom_form", "action_assess"]


def test_switched_off_the_questions_go_to_the_action_server(domain, installed, monkeypatch):
    monkeypatch.setenv("BACKLINE_SPEEDUPS_OFF", "local_questions")
    assert run("action_ask_pain_feel", domain) == []
    assert installed == ["action_ask_pain_feel"]
