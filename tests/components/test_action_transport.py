"""The Rasa server's calls to the action server (components/action_transport.py): what is sent, and over
which connection. tests/components/test_action_transport_over_rest.py checks that the actions answer a
bounded call exactly as they answer Rasa's full one."""
import asyncio
import json
import socket

import pytest
from aiohttp import web
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

from components import action_transport as transport
from harness.servers import free_port


def said(text, intent="ask_knowledge"):
    parse = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}
    return UserUttered(text, parse["intent"], [], parse_data=parse)


def long_tracker(domain, turns=50):
    tracker = DialogueStateTracker.from_events("long", [ActionExecuted("action_listen")], domain.slots)
    for turn in range(turns):
        for event in (said(f"question {turn}"), ActionExecuted("action_answer_question"), BotUttered("an answer"),
                      SlotSet("case", {"turn": turn}), ActionExecuted("action_listen")):
            tracker.update(event)
    tracker.update(said("my mum has MS and her back hurts", "describe_pain"))
    tracker.update(ActionExecuted("symptom_form"))
    tracker.update(SlotSet("requested_slot", "pain_location"))
    return tracker


def body(action, tracker, domain):
    return json.loads(transport.call_body(action, tracker, domain))


def test_the_bounded_call_is_rasas_call_with_only_this_turns_events(domain, monkeypatch):
    monkeypatch.delenv("BACKLINE_SPEEDUPS_OFF", raising=False)
    tracker = long_tracker(domain)
    action = RemoteAction("validate_symptom_form", EndpointConfig("http://127.0.0.1:1/webhook"))
    rasa = json.loads(json.dumps(action._action_call_format(tracker, domain)))
    ours = body(action, tracker, domain)
    assert [e["event"] for e in ours["tracker"]["events"]] == ["user", "action", "slot"]
    assert ours["tracker"]["events"] == rasa["tracker"]["events"][-3:]
    assert len(rasa["tracker"]["events"]) > 250
    for part in (ours, rasa):
        part["tracker"].pop("events")
    assert ours == rasa  # slots, latest message, active loop, followup, paused, domain...


def test_with_no_user_message_yet_every_event_goes(domain):
    tracker = DialogueStateTracker.from_events(
        "new", [ActionExecuted("action_session_start"), ActionExecuted("action_listen")], domain.slots)
    action = RemoteAction("action_escalate", EndpointConfig("http://127.0.0.1:1/webhook"))
    assert len(body(action, tracker, domain)["tracker"]["events"]) == 2


def test_switched_off_the_call_is_rasas_own(domain, monkeypatch):
    monkeypatch.setenv("BACKLINE_SPEEDUPS_OFF", "action_payload")
    tracker = long_tracker(domain, turns=3)
    action = RemoteAction("action_assess", EndpointConfig("http://127.0.0.1:1/webhook"))
    assert body(action, tracker, domain) == json.loads(json.dumps(action._action_call_format(tracker, domain)))


def test_the_domain_is_encoded_once_per_loaded_domain(domain, monkeypatch):
    monkeypatch.delenv("BACKLINE_SPEEDUPS_OFF", raising=False)
    encoded = []
    monkeypatch.setattr(transport, "DOMAIN_JSON", transport._DomainJson())
    original = Domain.as_dict
    monkeypatch.setattr(Domain, "as_dict", lambda self: encoded.append(self) or original(self))
    tracker = long_tracker(domain, turns=2)
    action = RemoteAction("action_assess", EndpointConfig("http://127.0.0.1:1/webhook"))
    for _ in range(3):
        assert body(action, tracker, domain)["domain"]["forms"]["symptom_form"]
    assert len(encoded) == 1
    reloaded = Domain.from_dict(domain.as_dict())
    encoded.clear()
    assert body(action, tracker, reloaded)["domain"] == json.loads(json.dumps(reloaded.as_dict()))
    assert len(encoded) == 2  # the new domain's own encoding (and the comparison above)


class FakeActionServer:
    """An aiohttp app answering /webhook; notes the client port of each call (one port = one connection)."""

    def __init__(self, status=200, reply=None):
        self.port = free_port()
        self.status, self.reply = status, reply or {"events": [{"event": "slot", "name": "triage", "value": None}],
                                                    "responses": [{"text": "hello"}]}
        self.client_ports, self.bodies, self.runner = [], [], None

    async def handle(self, request):
        self.client_ports.append(request.transport.get_extra_info("peername")[1])
        self.bodies.append(await request.json())
        return web.json_response(self.reply, status=self.status)

    async def start(self):
        app = web.Application()
        app.router.add_post("/webhook", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()
        return self

    async def stop(self):
        await self.runner.cleanup()

    def action(self, name="action_assess"):
        return RemoteAction(name, EndpointConfig(f"http://127.0.0.1:{self.port}/webhook"))


def run_calls(domain, server_factory, calls):
    """Starts the fake server, runs `calls(server, tracker)`, always stops both."""

    async def main():
        server = await server_factory().start()
        try:
            return await calls(server, long_tracker(domain, turns=2))
        finally:
            await transport.close_sessions()
            await server.stop()

    return asyncio.run(main())


def test_calls_share_one_kept_connection_and_give_rasas_events(domain, monkeypatch):
    monkeypatch.delenv("BACKLINE_SPEEDUPS_OFF", raising=False)

    async def calls(server, tracker):
        results = [await transport.run(server.action(), None, None, tracker, domain) for _ in range(3)]
        return server, results

    server, results = run_calls(domain, FakeActionServer, calls)
    assert len(server.client_ports) == 3 and len(set(server.client_ports)) == 1
    for events in results:
        assert [type(e).__name__ for e in events] == ["BotUttered", "SlotSet"]
        assert events[0].text == "hello"
    assert all(len(b["tracker"]["events"]) == 3 for b in server.bodies)


def test_without_keep_alive_each_call_has_its_own_connection(domain, monkeypatch):
    monkeypatch.setenv("BACKLINE_SPEEDUPS_OFF", "keep_alive")

    async def calls(server, tracker):
        for _ in range(2):
            await transport.run(server.action(), None, None, tracker, domain)
        return server

    server = run_calls(domain, FakeActionServer, calls)
    assert len(set(server.client_ports)) == 2
    assert all(len(b["tracker"]["events"]) == 3 for b in server.bodies)  # still bounded


def test_a_restarted_action_server_is_called_again_on_a_new_connection(domain, monkeypatch):
    monkeypatch.delenv("BACKLINE_SPEEDUPS_OFF", raising=False)

    async def calls(server, tracker):
        await transport.run(server.action(), None, None, tracker, domain)
        await server.stop()
        restarted = FakeActionServer()
        restarted.port = server.port
        await restarted.start()
        server.runner = restarted.runner  # stopped by run_calls
        events = await transport.run(restarted.action(), None, None, tracker, domain)
        return restarted, events

    restarted, events = run_calls(domain, FakeActionServer, calls)
    assert len(restarted.bodies) == 1 and events[0].text == "hello"


def test_a_refused_connection_fails_as_rasa_fails_once(domain, monkeypatch):
    monkeypatch.delenv("BACKLINE_SPEEDUPS_OFF", raising=False)
    port = free_port()
    with socket.socket() as probe:  # nothing listens there
        assert probe.connect_ex(("127.0.0.1", port)) != 0

    async def main():
        try:
            action = RemoteAction("action_assess", EndpointConfig(f"http://127.0.0.1:{port}/webhook"))
            await transport.run(action, None, None, long_tracker(domain, 1), domain)
        finally:
            await transport.close_sessions()

    with pytest.raises(RasaException, match="Couldn't connect"):
        asyncio.run(main())


@pytest.mark.parametrize("status, error", [(400, ActionExecutionRejection), (500, RasaException)])
def test_error_statuses_raise_what_rasa_raises(domain, monkeypatch, status, error):
    monkeypatch.delenv("BACKLINE_SPEEDUPS_OFF", raising=False)

    async def calls(server, tracker):
        await transport.run(server.action("validate_symptom_form"), None, None, tracker, domain)

    def rejecting():
        return FakeActionServer(status, {"action_name": "validate_symptom_form", "error": "rejected"})

    with pytest.raises(error):
        run_calls(domain, rejecting, calls)

