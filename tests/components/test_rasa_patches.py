"""components/rasa_patches.py: the one list of Rasa's names the server replaces, installed only on the Rasa release
it was written for, undone by uninstall(); and no other module of the project replaces one."""
import ast
import logging
import re

import pytest
import yaml
from rasa.core.actions.action import RemoteAction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.trackers import DialogueStateTracker

from components import action_safety_net, action_transport, local_actions, rasa_patches, rule_lookup
from harness.servers import ROOT
from tests.test_layering import python_files

LAYERS = [local_actions.layer, action_safety_net.layer]
RASAS_RUN = rasa_patches.ORIGINALS[(RemoteAction, "run")]


def every_name():
    return sorted(f"{patch.owner.__name__}.{patch.name}" for patch in rasa_patches.PATCHES)


def layers_of(run):
    """The functions RemoteAction.run goes through, outermost first (functools.wraps keeps the one inside)."""
    chain = [run]
    while hasattr(chain[-1], "__wrapped__"):
        chain.append(chain[-1].__wrapped__)
    return chain


def defined_in(function):
    return function.__code__.co_filename  # functools.wraps copies the name and module of the function inside


def test_it_is_written_for_the_pinned_rasa():
    pin = re.search(r"^rasa==(\S+)$", (ROOT / "requirements" / "rasa.txt").read_text(), re.MULTILINE)
    assert pin and pin.group(1) == rasa_patches.WRITTEN_FOR


def test_each_name_is_rasas_own_until_installed_and_again_after_uninstall():
    assert rasa_patches.installed() == []
    assert rasa_patches.install(LAYERS, version=rasa_patches.WRITTEN_FOR)
    assert sorted(rasa_patches.installed()) == every_name()
    for patch in rasa_patches.PATCHES:
        if patch.name != "run" or patch.owner is not RemoteAction:
            assert patch.owner.__dict__[patch.name] is patch.replacement, patch.name
    # The safety net outside, then the local actions, then the transport, which falls back to Rasa's own run.
    chain = layers_of(RemoteAction.run)
    assert chain[2] is action_transport.run and len(chain) == 3
    assert [defined_in(run) for run in chain[:2]] == [action_safety_net.__file__, local_actions.__file__]
    rasa_patches.install(LAYERS, version=rasa_patches.WRITTEN_FOR)  # again (a second model loaded): not doubled
    assert len(layers_of(RemoteAction.run)) == 3
    rasa_patches.uninstall()
    assert rasa_patches.installed() == [] and RemoteAction.run is RASAS_RUN
    assert DialogueStateTracker.past_states is rasa_patches.ORIGINALS[(DialogueStateTracker, "past_states")]
    assert DaskGraphRunner.run is rasa_patches.ORIGINALS[(DaskGraphRunner, "run")]


def test_another_rasa_version_runs_rasas_own_code_with_one_warning(monkeypatch, caplog):
    monkeypatch.setattr(rasa_patches, "_warned", False)
    with caplog.at_level(logging.WARNING, logger=rasa_patches.__name__):
        assert not rasa_patches.install(LAYERS, version="3.6.22")
        assert not rasa_patches.install(LAYERS, version="3.6.22")  # a second model loaded: no second warning
    warnings = [record for record in caplog.records if record.name == rasa_patches.__name__]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING
    assert "3.6.22" in warnings[0].getMessage() and rasa_patches.WRITTEN_FOR in warnings[0].getMessage()
    # Only the safety net (not a speed-up), straight around Rasa's own run; every other name is Rasa's.
    assert rasa_patches.installed() == ["RemoteAction.run"]
    chain = layers_of(RemoteAction.run)
    assert len(chain) == 2 and defined_in(chain[0]) == action_safety_net.__file__ and chain[1] is RASAS_RUN


def test_the_pipeline_component_installs_the_layers_config_yml_names(monkeypatch):
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    entry = next(item for item in config["pipeline"] if item["name"].endswith("RasaPatches"))
    assert entry["name"] == "components.rasa_patches.RasaPatches"
    assert [rasa_patches.load_layer(path) for path in entry["action_layers"]] == LAYERS
    monkeypatch.setattr(rasa_patches, "rasa_version", lambda: rasa_patches.WRITTEN_FOR)
    rasa_patches.RasaPatches.create({**rasa_patches.RasaPatches.get_default_config(), **entry}, None, None, None)
    assert sorted(rasa_patches.installed()) == every_name() and len(layers_of(RemoteAction.run)) == 3
    with pytest.raises(ValueError, match="components.nothing.here"):
        rasa_patches.load_layer("components.nothing.here")


def test_config_yml_names_the_rule_policy_with_the_speed_ups():
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    names = [policy["name"] for policy in config["policies"]]
    assert "RulePolicy" not in names
    policy = DefaultV1Recipe._from_registry("components.rule_lookup.BacklineRulePolicy").clazz
    assert policy is rule_lookup.BacklineRulePolicy and issubclass(policy, RulePolicy)
    assert "components.rule_lookup.BacklineRulePolicy" in names


def assignments_to_rasa(path):
    """`Name.attr = ...` and `setattr(Name, ...)` where Name was imported from rasa, in one file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    from_rasa = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                 and (node.module or "").split(".")[0] == "rasa" for alias in node.names}
    found = []
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] \
            if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
        for target in targets:
            if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) \
                    and target.value.id in from_rasa:
                found.append(f"{target.value.id}.{target.attr}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setattr" \
                and node.args and isinstance(node.args[0], ast.Name) and node.args[0].id in from_rasa:
            found.append(f"setattr({node.args[0].id})")
    return found


def test_no_other_module_replaces_a_name_of_rasa():
    found = {}
    for path in python_files(ROOT):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith("tests/") or relative == "components/rasa_patches.py":
            continue
        names = assignments_to_rasa(path)
        if names:
            found[relative] = names
    assert found == {}


def test_the_finder_sees_a_replaced_name(tmp_path):
    path = tmp_path / "patch.py"
    path.write_text("from rasa.core.actions.action import RemoteAction as R\nR.run = None\nsetattr(R, 'x', 1)\n")
    assert assignments_to_rasa(path) == ["R.run", "setattr(R)"]
