"""docs/interface.md is the public interface a reader of the repository relies on: it must name every
contract value, setting, command and test stage the code has, so that a new one cannot ship undocumented."""
import argparse
import re
import shlex
from pathlib import Path

import pytest

from bot import knowledge_base
from bot.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "interface.md"
# Where settings are read or passed on: the code the servers run, the scripts and the deployment files.
SETTING_SOURCES = ("ops", "components", "channels", "actions", "bot", "scripts", "deploy")
SETTING = re.compile(r"\bBACKLINE_[A-Z][A-Z0-9_]*[A-Z0-9]\b")
# Shell variables that look like settings but are not read from the environment.
NOT_SETTINGS = {"BACKLINE_ROOT"}  # ops/env.sh: the project folder, computed
# Contract slot -> the tuple of its values in bot/knowledge_base.py (absent tuples are skipped).
SLOT_VALUES = {"condition": "CONDITIONS", "red_flags": "RED_FLAGS", "warning_signs": "WARNING_SIGNS",
               "triage": "TRIAGE_VALUES", "pain_type": "PAIN_TYPES", "requested_slot": "TOPICS"}


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def table_row(doc: str, first_cell: str) -> str:
    rows = [line for line in doc.splitlines() if line.startswith(f"| {first_cell} |")]
    assert rows, f"docs/interface.md has no table row for {first_cell}"
    return rows[0]


def named_values(text: str) -> set:
    return set(re.findall(r"`([a-z_]+)`", text))


@pytest.mark.parametrize("slot", SLOT_VALUES)
def test_every_contract_value_is_documented(doc, slot):
    values = set(getattr(knowledge_base, SLOT_VALUES[slot], ()))
    if slot == "requested_slot":
        documented = {topic for topic in values if f"| `{topic}` |" in doc}
    else:
        documented = named_values(table_row(doc, f"`{slot}`").split("|")[2])
    assert values - documented == set()


def settings_in(path: Path) -> set:
    try:
        return set(SETTING.findall(path.read_text(encoding="utf-8", errors="replace")))
    except OSError:
        return set()


def test_every_setting_the_code_reads_is_documented(doc):
    found = {}
    for folder in SETTING_SOURCES:
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                for name in settings_in(path) - NOT_SETTINGS:
                    found.setdefault(name, path.relative_to(ROOT).as_posix())
    assert found, "no BACKLINE_* setting found: the search itself is broken"
    assert {name: where for name, where in found.items() if f"`{name}`" not in doc} == {}


def test_every_bot_command_is_documented(doc):
    subcommands = next(action.choices for action in build_parser()._actions
                       if isinstance(action, argparse._SubParsersAction))
    assert subcommands
    assert [name for name in subcommands if f"python -m bot {name}" not in doc] == []


def test_every_make_target_in_the_help_is_documented(doc):
    help_lines = re.findall(r'^\t@echo "(.*)"$', (ROOT / "Makefile").read_text(), flags=re.MULTILINE)
    targets = {word for line in help_lines for word in re.findall(r"make ([a-z][a-z-]*)", line)}
    assert targets
    assert sorted(target for target in targets if f"make {target}" not in doc) == []


def test_the_test_stages_are_documented_in_order(doc):
    script = (ROOT / "scripts" / "test.sh").read_text()
    default = re.search(r'stages=\("\$\{@:-([a-z0-9 ]+)\}"\)', script)
    assert default, "scripts/test.sh no longer has a default stage list"
    stages = shlex.split(default.group(1))
    assert ", ".join(f"`{stage}`" for stage in stages) in doc
