"""The model graph run node by node (components/graph_runner.py) gives what dask's run of the same graph gives, on
the trained model in models/: parses, policy predictions, the inputs' clash check and a node's failure."""
import numpy as np
import pytest
from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.engine.constants import PLACEHOLDER_MESSAGE, PLACEHOLDER_TRACKER
from rasa.engine.exceptions import GraphComponentException, GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.trackers import DialogueStateTracker

from components import graph_runner
from components.rasa_patches import RasaPatches, install
from harness.servers import trained_model_file
from tests.components.conversations import conversation

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("speedups_on")]  # e2e: needs the trained model

MESSAGES = ["my mum has MS and her back hurts", "he suddenly can't move his legs and wet himself", "lower back",
            "burning, like an electric shock when she bends her neck", "I don't know", "hello", "/greet",
            "what is spasticity?", "log: bad night, about a 7", "start over", "", "asdf qwerty zxcv"]


@pytest.fixture(scope="module")
def agent():
    # Loading the model installs the speed-ups (components/rasa_patches.py); tests/conftest.py undoes it after the
    # first test, and the tests below call graph_runner.run and Rasa's own run side by side.
    return Agent.load(str(trained_model_file()))


@pytest.fixture(scope="module")
def runner(agent):
    return agent.processor.graph_runner


def both(runner, inputs, targets):
    """The sequential run and dask's, each on its own copy of the inputs' values where they are made fresh."""
    return graph_runner.run(runner, inputs(), targets), graph_runner._RASA_RUN(runner, inputs(), targets)


def parsed(result, target):
    return [message.as_dict(only_output_properties=True) for message in result[target]]


def predicted(result, target):
    prediction = result[target]
    return (prediction.policy_name, np.asarray(prediction.probabilities).tolist(), prediction.events,
            prediction.optional_events, prediction.is_end_to_end_prediction, prediction.is_no_user_prediction,
            prediction.action_metadata)


def test_the_model_loads_the_component_that_installs_it_on_the_class(runner):
    assert isinstance(runner, DaskGraphRunner)
    assert any(isinstance(node._component, RasaPatches) for node in runner._instantiated_nodes.values())
    install()
    assert DaskGraphRunner.run is graph_runner.run


def test_parses_are_dasks(agent, runner):
    target = agent.processor.model_metadata.nlu_target
    for text in MESSAGES:
        ours, rasas = both(runner, lambda: {PLACEHOLDER_MESSAGE: [UserMessage(text)]}, [target])  # noqa: B023
        assert list(ours) == list(rasas) == [target]
        assert parsed(ours, target) == parsed(rasas, target), text
        assert parsed(ours, target)[0]["intent"]["name"]


def test_policy_predictions_are_dasks_along_a_conversation(agent, runner):
    target = agent.processor.model_metadata.core_target
    events = conversation()
    names = set()
    for end in range(1, len(events) + 1, 3):
        tracker = DialogueStateTracker.from_events("graph", events[:end], agent.domain.slots)
        ours, rasas = both(runner, lambda: {PLACEHOLDER_TRACKER: tracker}, [target])  # noqa: B023
        assert list(ours) == list(rasas) == [target]
        assert predicted(ours, target) == predicted(rasas, target), f"after {end} events"
        names.add(ours[target].policy_name)
    assert len(names) > 1  # both policies answered somewhere


def test_every_target_and_an_input_in_a_nodes_place_are_dasks(agent, runner):
    tracker = DialogueStateTracker.from_events("graph", conversation()[:12], agent.domain.slots)
    # the rule policy's node, named after the class config.yml gives (components.rule_lookup.BacklineRulePolicy)
    rule_node = next(name for name in runner._graph_schema.nodes if name.endswith("RulePolicy0"))
    targets = [agent.processor.model_metadata.core_target, "domain_provider", rule_node]
    ours, rasas = both(runner, lambda: {PLACEHOLDER_TRACKER: tracker}, targets)
    assert list(ours) == list(rasas) == targets
    assert ours["domain_provider"] == rasas["domain_provider"]
    for target in targets[::2]:
        assert predicted(ours, target) == predicted(rasas, target)
    # A domain given as an input takes the domain node's place, as in the dask graph
    inputs = {PLACEHOLDER_TRACKER: tracker, "domain_provider": agent.domain}
    ours, rasas = both(runner, lambda: inputs, targets)
    assert ours["domain_provider"] is rasas["domain_provider"] is agent.domain
    assert predicted(ours, targets[0]) == predicted(rasas, targets[0])


def test_an_input_clashing_with_a_node_or_another_input_is_refused_as_rasa_refuses_it(agent, runner):
    target = agent.processor.model_metadata.nlu_target
    for inputs in ({PLACEHOLDER_MESSAGE: "run_WhitespaceTokenizer0"}, {"extra": 1, "other": "extra"}):
        errors = []
        for run in (graph_runner.run, graph_runner._RASA_RUN):
            with pytest.raises(GraphRunError) as error:
                run(runner, dict(inputs), [target])
            errors.append(str(error.value))
        assert errors[0] == errors[1] and "clashes with a node name" in errors[0]


def failing(exception):
    def node(*inputs):
        raise exception
    return node


@pytest.mark.parametrize("exception, expected", [(ValueError("broken"), ValueError),
                                                 (RuntimeError("broken"), GraphRunError),
                                                 (KeyError("broken"), KeyError)])
def test_a_node_failing_fails_the_run_as_with_dask(agent, runner, monkeypatch, exception, expected):
    target = agent.processor.model_metadata.nlu_target
    monkeypatch.setitem(runner._instantiated_nodes, "run_RegexFeaturizer1", failing(exception))
    for run in (graph_runner.run, graph_runner._RASA_RUN):
        with pytest.raises(expected) as error:
            run(runner, {PLACEHOLDER_MESSAGE: [UserMessage("hello")]}, [target])
        assert exception in (error.value, error.value.__cause__)


def test_a_component_failing_inside_its_node_fails_the_run_as_with_dask(agent, runner, monkeypatch):
    target = agent.processor.model_metadata.nlu_target
    node = runner._instantiated_nodes["run_CountVectorsFeaturizer2"]
    monkeypatch.setattr(node, "_fn", lambda component, **kwargs: 1 / 0)
    for run in (graph_runner.run, graph_runner._RASA_RUN):
        with pytest.raises(GraphComponentException) as error:
            run(runner, {PLACEHOLDER_MESSAGE: [UserMessage("hello")]}, [target])
        assert isinstance(error.value.__cause__, ZeroDivisionError)


def test_each_node_comes_after_what_it_needs_in_the_models_schemas(agent, runner):
    for schema in (runner._graph_schema, agent.processor.model_metadata.train_schema):
        order = graph_runner.topological_order(schema)
        assert sorted(order) == sorted(schema.nodes)
        place = {name: number for number, name in enumerate(order)}
        for name, node in schema.nodes.items():
            assert all(place[need] < place[name] for need in node.needs.values() if need in schema.nodes)


def test_the_order_is_worked_out_once_per_targets(agent, runner, monkeypatch):
    target = agent.processor.model_metadata.nlu_target
    graph_runner.run(runner, {PLACEHOLDER_MESSAGE: [UserMessage("hello")]}, [target])
    calls = []
    monkeypatch.setattr(graph_runner, "topological_order", lambda schema: calls.append(schema) or [])
    graph_runner.run(runner, {PLACEHOLDER_MESSAGE: [UserMessage("hello")]}, [target])
    assert not calls


def test_switched_off_it_is_dasks_run(agent, runner, monkeypatch):
    monkeypatch.setenv("BACKLINE_SPEEDUPS_OFF", "graph_runner")
    calls = []
    monkeypatch.setattr(graph_runner, "_RASA_RUN", lambda *args: calls.append(args) or {"dask's": 1})
    assert graph_runner.run(runner, {PLACEHOLDER_MESSAGE: [UserMessage("hello")]}) == {"dask's": 1} and calls
