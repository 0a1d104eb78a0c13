"""The CLI: one JSON object on stdout, clear errors, fast start."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONTRACT_KEYS = {"condition", "red_flags", "triage", "pain_type", "confidence", "evidence", "explanation", "sources"}


def run(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, input=stdin, capture_output=True, text=True,
                          timeout=60)


def test_assess_prints_one_contract_json_object():
    proc = run("assess", "My wife has MS and suddenly can't feel her legs; her back is burning")
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert CONTRACT_KEYS <= set(result)
    assert (result["condition"], result["triage"]) == ("ms", "seek_care_now")
    assert result["red_flags"] == ["leg_numbness", "both_legs"]
    assert result["pain_type"] in {"neuropathic", "lhermitte", "spasticity", "musculoskeletal", "immobility", "unclear"}


def test_stdin_dash():
    proc = run("assess", "-",
               stdin="dad has ALS, stiff and sore from his wheelchair all day, better after we reposition him, "
                     "same as always")
    assert proc.returncode == 0
    result = json.loads(proc.stdout)
    assert (result["condition"], result["pain_type"], result["triage"]) == ("als", "immobility", "self_care")


@pytest.mark.parametrize("args,stdin", [(("assess", ""), None), (("assess", "   "), None), (("assess", "-"), "  \n")])
def test_empty_input_is_an_error(args, stdin):
    proc = run(*args, stdin=stdin)
    assert proc.returncode != 0 and "empty" in proc.stderr and proc.stdout == ""


def test_help():
    proc = run("--help")
    assert proc.returncode == 0 and "assess" in proc.stdout
    assert run("assess", "--help").returncode == 0
