"""docs/safety/hazard-log.yml: complete, scored, and every control verified by a test that exists."""
import ast
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
LOG = yaml.safe_load((ROOT / "docs" / "safety" / "hazard-log.yml").read_text(encoding="utf-8"))["hazards"]
FIELDS = ("id", "title", "causes", "harm", "initial", "controls", "verified_by", "residual", "residual_reasoning")


def test_every_functions(path):
    """Test function names defined at module level (sync or async) in a test file."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


test_every_functions.__test__ = False  # a helper, not a test


def test_the_log_has_at_least_25_complete_hazards():
    assert len(LOG) >= 25
    assert len({h["id"] for h in LOG}) == len(LOG)
    for hazard in LOG:
        assert all(hazard.get(f) for f in FIELDS), hazard.get("id")
        for score in ("initial", "residual"):
            assert all(1 <= hazard[score][k] <= 5 for k in ("severity", "likelihood")), hazard["id"]
        risk = hazard["residual"]["severity"] * hazard["residual"]["likelihood"]
        assert risk <= hazard["initial"]["severity"] * hazard["initial"]["likelihood"], hazard["id"]
        assert risk < 15, f"{hazard['id']}: a residual risk of {risk} is unacceptable"


def test_every_named_test_exists():
    missing = []
    for hazard in LOG:
        for ref in hazard["verified_by"]:
            path, _, name = ref.partition("::")
            if not (ROOT / path).is_file() or name not in test_every_functions(path):
                missing.append(f"{hazard['id']}: {ref}")
    assert not missing, "\n".join(missing)


def test_the_check_catches_a_made_up_test():
    assert "test_made_up" not in test_every_functions("tests/test_hazard_log.py")
