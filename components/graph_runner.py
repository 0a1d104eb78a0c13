"""Rasa's model graph run node by node in a fixed order, without dask's scheduler (issue 13).

Why. Every message parse and every policy prediction (4-6 per turn) goes through `DaskGraphRunner.run`, which
builds a dask graph from the minimal schema of its targets on every call and hands it to `dask.get`: dask orders
the graph, keeps its ready/waiting/running state and submits each task to its synchronous executor. py-spy put
about 10% of the Rasa server's CPU in that scheduling (`dask.local.get_sync`, `get_async`, `fire_tasks`,
`batch_execute_tasks`) around components that are themselves quick.

"graph_runner": the same graph, run here. Per tuple of targets the minimal schema's nodes are put in a
topological order once (kept on the runner: a runner's schema never changes); each call then calls every node
in that order with the outputs of its `needs`, in order, exactly as dask would hand them over:

- inputs become `(input_name, value)` through Rasa's own `_add_inputs_to_graph` (its clash check included), and
  an input named like a node takes that node's place, as in the dask graph;
- a need that is neither a node nor an input is passed as its bare name (dask passes a key it does not know as
  a literal; `GraphNode.__call__` logs and skips it);
- every node of the minimal schema is run, as dask runs every key of the graph it is given;
- the result is `{target: output}` from the targets' `(name, output)` tuples, as `dict(dask.get(...))`;
- a RuntimeError becomes GraphRunError, any other exception propagates as dask re-raises it.

Only the order among nodes that do not depend on each other may differ from dask's (the policies, say); no
node reads another's output other than through its needs. The patch is on the class, so runners already built
use it. `rasa train` does not load this module (the safety net is not in the training schema); a process that
loads a model and then trains (GraphTrainer also uses DaskGraphRunner) runs its training graph the same way.
tests/components/test_graph_runner.py compares parses and policy predictions on the trained model with dask's.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import GraphSchema
from rasa.engine.runner.dask import DaskGraphRunner

from ops.settings import speedup

_RASA_RUN = DaskGraphRunner.run
_LOG = logging.getLogger("rasa.engine.runner.dask")  # Rasa's own debug line, from Rasa's logger
_NODE = object()  # a graph entry computed by a node (not given as an input)

# Per targets: ((node name, its needs' names in order), ...) in a topological order, and the graph's node entries.
Plan = Tuple[Tuple[Tuple[Text, Tuple[Text, ...]], ...], Dict[Text, Any]]


def topological_order(schema: GraphSchema) -> List[Text]:
    """The schema's node names, each after every node it needs (a cycle is a RuntimeError, as in dask)."""
    order: List[Text] = []
    done, visiting = set(), set()

    def visit(name: Text) -> None:
        if name in done or name not in schema.nodes:
            return
        if name in visiting:
            raise RuntimeError(f"Cycle detected in the graph at node '{name}'.")
        visiting.add(name)
        for need in schema.nodes[name].needs.values():
            visit(need)
        visiting.discard(name)
        done.add(name)
        order.append(name)

    for name in schema.nodes:
        visit(name)
    return order


def _plan(self: DaskGraphRunner, targets: List[Text]) -> Plan:
    key = tuple(targets)
    plans = self.__dict__.setdefault("_backline_plans", {})
    plan = plans.get(key)
    if plan is None:
        schema = self._graph_schema.minimal_graph_schema(targets)
        steps = tuple((name, tuple(schema.nodes[name].needs.values())) for name in topological_order(schema))
        plan = plans[key] = (steps, {name: _NODE for name, _ in steps})
    return plan


def run(self: DaskGraphRunner, inputs: Optional[Dict[Text, Any]] = None,
        targets: Optional[List[Text]] = None) -> Dict[Text, Any]:
    """DaskGraphRunner.run, each node called in a fixed topological order (see the module docstring)."""
    if not speedup("graph_runner"):
        return _RASA_RUN(self, inputs, targets)
    run_targets = targets if targets else self._graph_schema.target_names
    steps, nodes = _plan(self, run_targets)
    graph = dict(nodes)
    if inputs:
        self._add_inputs_to_graph(inputs, graph)
    if _LOG.isEnabledFor(logging.DEBUG):
        _LOG.debug(f"Running graph with inputs: {inputs}, targets: {targets} and {self._execution_context}.")
    # The inputs' (name, value) entries, then each node's (name, output) as it is computed.
    values = {name: entry for name, entry in graph.items() if entry is not _NODE}
    instantiated = self._instantiated_nodes
    try:
        for name, needs in steps:
            if graph[name] is _NODE:
                values[name] = instantiated[name](*[values[need] if need in graph else need for need in needs])
    except RuntimeError as e:
        raise GraphRunError("Error running runner.") from e
    return dict(values[target] for target in run_targets)
