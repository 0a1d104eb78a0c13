"""The actions need no more than the bounded call (components/action_transport.py, speed-up "action_payload"), and
with every speed-up on (ops.settings.SPEEDUPS) the caregiver gets what Rasa's own path gives.

Real servers: every test story's user texts (one long conversation, so earlier turns pile up behind the
window) and every scenario of tests/e2e/scenarios.yml go over REST to a Rasa server with every speed-up off,
then to one with all on, each through a recorder in front of the action server. Each recorded call of the
first (Rasa's own: the whole tracker) is then sent to the action server again as it is and cut to the events
since the latest user message: the answers (messages and events) must be the same. With the speed-ups on, the
Rasa server sends the bounded call, runs the core's own actions itself (components/local_actions.py), and every
reply is the same. The
recorded trackers also check the speed-ups that change Rasa's own walks through a conversation.
"""
from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
import yaml

from harness.conversation import new_sender
from harness.servers import (
    ROOT,
    ActionServer,
    RasaServer,
    action_headers,
    free_port,
    trained_model_dir,
    trained_model_file,
    warm_up_actions,
)
from harness.stores import STORES
from ops.action_guard import HEADER as GUARD

pytestmark = pytest.mark.e2e
SLOW_MACHINE_TIMEOUT = 60

SCENARIOS = yaml.safe_load((ROOT / "tests" / "e2e" / "scenarios.yml").read_text())["scenarios"]
STORY_TEXTS = [step["user"].strip() for path in sorted((ROOT / "tests" / "stories").glob("*.yml"))
               for story in yaml.safe_load(path.read_text())["stories"]
               for step in story.get("steps") or [] if isinstance(step, dict) and step.get("user")]


class Recorder:
    """Forwards POST /webhook to the action server and keeps each request body."""

    def __init__(self, upstream: str) -> None:
        self.upstream, self.port, self.bodies = upstream, free_port(), []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                recorder.bodies.append(json.loads(body))
                # The Rasa server's credential is passed on as it came (ops/action_guard.py): without it, 401.
                forwarded = {name: value for name, value in self.headers.items() if name.lower() == GUARD.lower()}
                answer = requests.post(recorder.upstream, data=body, timeout=60,
                                       headers={"Content-Type": "application/json", **forwarded})
                self.send_response(answer.status_code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhook"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def talk(rasa: RasaServer) -> list:
    """Every story text in one conversation, then each scenario in its own; the replies, in order."""
    replies = []
    long_one = new_sender("transport-stories")
    for text in STORY_TEXTS:
        replies.append(rasa.say(long_one, text, timeout=60))
    for scenario in SCENARIOS:
        sender = new_sender("transport-scenario")
        replies.append(rasa.say(sender, scenario["opening"], timeout=60))
        for _ in range(14):
            topic = rasa.tracker(sender)["slots"]["requested_slot"]
            if topic is None:
                break
            answer = scenario["answers"].get(topic, "not sure")
            replies.append(rasa.say(sender, answer[-1] if isinstance(answer, list) else answer, timeout=60))
        for step in scenario.get("then", []):
            replies.append(rasa.say(sender, step["say"], timeout=60))
    return replies


def cut(call: dict) -> dict:
    events = call["tracker"]["events"]
    users = [i for i, event in enumerate(events) if event["event"] == "user"]
    return {**call, "tracker": {**call["tracker"], "events": events[users[-1]:] if users else events}}


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """(calls recorded with every speed-up off, calls recorded with all on, the action server's webhook, and the
    replies of each)."""
    workdir: Path = tmp_path_factory.mktemp("transport")
    actions = ActionServer(workdir).start()
    recorders, servers, replies = [], [], []
    try:
        warm_up_actions(actions)
        for off in ("all", ""):
            recorder = Recorder(actions.webhook)
            recorders.append(recorder)
            rasa = RasaServer(workdir, action_url=recorder.url, model=trained_model_dir(), endpoints_extra=STORES,
                              env={"BACKLINE_SQLITE_PATH": str(workdir / f"store-{off or 'on'}.db"),
                                   "BACKLINE_SPEEDUPS_OFF": off,
                                   # a busy machine must not turn a slow call into the safety net's answer here
                                   "BACKLINE_ACTION_TIMEOUT": str(SLOW_MACHINE_TIMEOUT)})
            servers.append(rasa)
            rasa.start()
            replies.append(talk(rasa))
            rasa.stop()
        yield recorders[0].bodies, recorders[1].bodies, actions.webhook, replies
    finally:
        for server in servers + recorders + [actions]:
            server.stop()


def timeless(answer) -> str:
    """An action's answer without what the clock writes into it: the diary's signed links (their expiry)
    and the moment an entry was written down. Two calls a moment apart differ there and only there."""
    text = json.dumps(answer, sort_keys=True)
    text = re.sub(r"token=[A-Za-z0-9_-]+", "token=…", text)
    return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00", "…", text)


def test_the_actions_answer_the_bounded_call_as_the_whole_tracker(recorded):
    full_calls, _, webhook, _ = recorded
    names = {call["next_action"] for call in full_calls}
    assert {"validate_symptom_form", "action_assess", "action_escalate", "action_answer_question"} <= names, names
    assert max(len(call["tracker"]["events"]) for call in full_calls) > 300  # the long conversation
    differences = []
    for call in full_calls:
        whole = requests.post(webhook, json=call, headers=action_headers(), timeout=60)
        bounded = requests.post(webhook, json=cut(call), headers=action_headers(), timeout=60)
        if (whole.status_code, timeless(whole.json())) != (bounded.status_code, timeless(bounded.json())):
            differences.append((call["next_action"], len(call["tracker"]["events"])))
    assert differences == []


def test_with_the_speed_ups_on_the_rasa_server_sends_the_bounded_call_and_runs_the_cores_actions_itself(recorded):
    from bot import diary
    from bot.action_turns import ACTIONS

    full_calls, bounded_calls, _, _ = recorded
    assert {"validate_symptom_form", "action_assess", "action_ask_pain_feel", "action_escalate"} <= \
        {c["next_action"] for c in full_calls}
    assert not any(c["next_action"] in set(ACTIONS) - {"action_escalate"} for c in bounded_calls)
    # An escalation goes to the action server only when its message also asks for a diary entry.
    for call in bounded_calls:
        if call["next_action"] == "action_escalate":
            assert diary.request_of(call["tracker"]["latest_message"]["text"]) == diary.ADD
    full_calls = [c for c in full_calls if c["next_action"] not in ACTIONS]
    bounded_calls = [c for c in bounded_calls if c["next_action"] not in ACTIONS]
    assert "action_diary" in {c["next_action"] for c in full_calls}
    assert [c["next_action"] for c in bounded_calls] == [c["next_action"] for c in full_calls]  # the same calls
    for whole, bounded in zip(full_calls, bounded_calls, strict=True):
        assert [e["event"] for e in bounded["tracker"]["events"]] == \
            [e["event"] for e in cut(whole)["tracker"]["events"]]
        assert bounded["tracker"]["slots"] == whole["tracker"]["slots"]
        assert bounded["domain"] == whole["domain"]


def test_with_every_speed_up_on_the_caregiver_gets_the_same_replies(recorded):
    _, _, _, (rasas, ours) = recorded

    def said(replies):  # each server's conversations have ids of their own
        return [timeless([{k: v for k, v in message.items() if k != "recipient_id"} for message in reply])
                for reply in replies]

    assert len(rasas) == len(ours) > 100
    assert said(ours) == said(rasas)


def test_the_policies_view_resumed_is_rasas_on_the_recorded_conversations(recorded, monkeypatch):
    """components/incremental_states.py on real trackers: each conversation's calls in order, resumed."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    from components import incremental_states as incremental

    monkeypatch.delenv("BACKLINE_SPEEDUPS_OFF", raising=False)
    domain = Domain.load(str(ROOT / "domain.yml"))
    rule_only = {"rule_only_slots": ["requested_slot"], "rule_only_loops": ["symptom_form"]}
    full_calls, _, _, _ = recorded
    for number, call in enumerate(full_calls):
        tracker = DialogueStateTracker.from_dict(call["sender_id"], call["tracker"]["events"], domain.slots)
        for setting in ({}, {"ignore_rule_only_turns": True, "rule_only_data": rule_only}):
            assert incremental.past_states(tracker, domain, **setting) == \
                incremental._RASA_PAST_STATES(tracker, domain, **setting), (number, call["next_action"])


def test_the_trackers_applied_events_copies_and_rules_are_rasas_on_the_recorded_conversations(recorded, monkeypatch):
    """components/incremental_tracker.py and rule_lookup.py on real trackers: each conversation kept as one tracker
    that grows call by call, as in the server, and the trained model's own rules."""
    import tarfile

    from rasa.core.policies.rule_policy import RulePolicy
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import Event
    from rasa.shared.core.trackers import DialogueStateTracker

    from components import incremental_tracker, rule_lookup
    from tests.components.conversations import state_of

    monkeypatch.delenv("BACKLINE_SPEEDUPS_OFF", raising=False)
    domain = Domain.load(str(ROOT / "domain.yml"))
    with tarfile.open(trained_model_file()) as archive:
        member = next(m for m in archive.getmembers() if m.name.endswith("rule_policy.json"))
        rules = json.load(archive.extractfile(member))["lookup"]["rules"]
    policy = RulePolicy.__new__(RulePolicy)
    full_calls, _, _, _ = recorded
    live, grown = {}, 0
    for number, call in enumerate(full_calls):
        events = call["tracker"]["events"]
        # Events by what they are: a call's copy of the tracker stamps the predicted events anew
        kinds = [(event["event"], event.get("name"), event.get("text"), event.get("value")) for event in events]
        tracker, seen = live.get(call["sender_id"], (None, []))
        if tracker is not None and kinds[:len(seen)] == seen:
            for event in events[len(seen):]:
                tracker.update(Event.from_parameters(event))
            grown += 1
        else:
            tracker = DialogueStateTracker.from_dict(call["sender_id"], events, domain.slots)
        live[call["sender_id"]] = (tracker, kinds)
        where = (number, call["next_action"])
        assert incremental_tracker.applied_events(tracker) == incremental_tracker._RASA_APPLIED_EVENTS(tracker), where
        assert state_of(incremental_tracker.copy_tracker(tracker)) == state_of(incremental_tracker._RASA_COPY(tracker))
        states = tracker.past_states(domain)
        assert rule_lookup.possible_keys(policy, rules, states) == \
            rule_lookup._RASA_POSSIBLE_KEYS(policy, rules, states), where
    # Many calls go on from the conversation's previous one (a form's validation call carries events the turn drops)
    assert grown > len(full_calls) / 3
