"""Arrows only point down (docs/interface.md, Layers): the clinical core imports no framework, the Rasa
server never loads the action server, nothing outside tests/ imports tests, and the harness loads without
pytest. Imports are read from the source with `ast`, not by importing, so a lazy import inside a function
counts as much as one at the top, and the check needs none of the packages it names."""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List, Optional, Tuple

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
# Not the project's source: installed packages, the widget's npm tree, training and benchmark output.
NOT_SOURCE_FOLDERS = {"node_modules", "__pycache__"}
NOT_SOURCE_PATHS = ("models/", "results/", "var/", "bench/work/", "bench/previous/")
SYNTHETIC_TREE = Path(__file__).with_name("layering_tree.yml")


@dataclass(frozen=True)
class Import:
    path: str        # the importing file, relative to the tree's root
    module: str      # the module imported, absolute ("" when a relative import climbs out of the tree)
    line: int
    top_level: bool  # run when the file is imported (not inside a function)


@dataclass(frozen=True)
class Rule:
    name: str
    forbidden: Tuple[str, ...]        # top-level packages (and their submodules)
    inside: Tuple[str, ...] = ()      # applies to files under these folders ...
    outside: Tuple[str, ...] = ()     # ... or to every file not under these
    top_level_only: bool = False      # only imports that run when the module is imported


RULES = (
    Rule("the clinical core imports no framework and no outer layer", inside=("bot",),
         forbidden=("rasa", "rasa_sdk", "actions", "components", "ops", "channels", "harness", "tests", "bench")),
    Rule("the Rasa server's packages never load the action server", inside=("components", "channels", "ops"),
         forbidden=("actions", "rasa_sdk")),
    Rule("nothing outside tests/ imports tests", outside=("tests",), forbidden=("tests",)),
    Rule("the harness loads without pytest (bench/ uses it)", inside=("harness",), forbidden=("pytest", "_pytest"),
         top_level_only=True),
)


def python_files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        folders = relative.parts[:-1]
        if NOT_SOURCE_FOLDERS.intersection(folders) or any(part.startswith(".") for part in folders):
            continue  # .venv, .git, .rasa and the like too
        if not relative.as_posix().startswith(NOT_SOURCE_PATHS):
            yield path


def module_parts(root: Path, path: Path) -> List[str]:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def absolute(root: Path, path: Path, module: Optional[str], level: int) -> str:
    """`from ..x import y` in a/b/c.py -> a.x; a relative import climbing above the root -> ""."""
    if level == 0:
        return module or ""
    package = module_parts(root, path)
    if path.name != "__init__.py":
        package = package[:-1]
    if level - 1 >= len(package):  # above the top-level package: Python refuses it too
        return ""
    base = package[:len(package) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def imports(root: Path, path: Path) -> List[Import]:
    """Every import in one file: import statements, and import_module / __import__ with a literal name."""
    relative = path.relative_to(root).as_posix()
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=relative)
    found: List[Import] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        if isinstance(node, ast.Import):
            found.extend(Import(relative, alias.name, node.lineno, not in_function) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = absolute(root, path, node.module, node.level)
            found.append(Import(relative, base, node.lineno, not in_function))
            if node.module is None and base:  # `from . import x`: x may be a module of that package
                found.extend(Import(relative, f"{base}.{alias.name}", node.lineno, not in_function)
                             for alias in node.names)
        elif isinstance(node, ast.Call) and (name := dynamic_import_name(node)):
            found.append(Import(relative, name, node.lineno, not in_function))
        nested = in_function or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        for child in ast.iter_child_nodes(node):
            visit(child, nested)

    visit(tree, False)
    return found


def dynamic_import_name(call: ast.Call) -> str:
    """The literal module name of importlib.import_module("x") / import_module("x") / __import__("x"), else ""."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if name not in ("import_module", "__import__") or not call.args:
        return ""
    first = call.args[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str) and not first.value.startswith("."):
        return first.value
    return ""


def applies(rule: Rule, relative: str) -> bool:
    top = relative.split("/", 1)[0]
    if rule.inside:
        return top in rule.inside
    return top not in rule.outside


def violations(root: Path, rule: Rule) -> List[str]:
    """`path:line imports module` for each import that breaks the rule; a file that does not parse is one too
    (it could hide anything)."""
    found = []
    for path in python_files(root):
        relative = path.relative_to(root).as_posix()
        if not applies(rule, relative):
            continue
        try:
            file_imports = imports(root, path)
        except (SyntaxError, UnicodeDecodeError, ValueError) as error:
            found.append(f"{relative}: cannot be read ({type(error).__name__})")
            continue
        for imported in file_imports:
            if rule.top_level_only and not imported.top_level:
                continue
            if any(imported.module == name or imported.module.startswith(name + ".") for name in rule.forbidden):
                found.append(f"{relative}:{imported.line} imports {imported.module}")
    return sorted(set(found))


@pytest.mark.parametrize("rule", RULES, ids=[rule.name for rule in RULES])
def test_the_tree_keeps_its_layers(rule):
    assert violations(ROOT, rule) == []


def test_the_tree_has_the_packages_the_rules_name():
    """A rule about a folder that is not there (renamed, moved) would pass without checking anything."""
    for rule in RULES:
        for folder in rule.inside:
            assert any(python_files(ROOT / folder)), f"{rule.name}: no Python files under {folder}/"


def synthetic_tree(tmp_path: Path) -> dict:
    case = yaml.safe_load(SYNTHETIC_TREE.read_text())
    for relative, source in case["files"].items():
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source or "")
    return case


def test_the_checker_finds_every_kind_of_violation(tmp_path):
    expected = synthetic_tree(tmp_path)["violations"]
    found = {rule.name: violations(tmp_path, rule) for rule in RULES}
    assert found == {rule.name: sorted(expected.get(rule.name) or []) for rule in RULES}


def test_relative_imports_resolve_against_the_importing_package(tmp_path):
    path = tmp_path / "bot" / "knowledge" / "load.py"
    assert absolute(tmp_path, path, "extract", 2) == "bot.extract"
    assert absolute(tmp_path, path, None, 1) == "bot.knowledge"
    assert absolute(tmp_path, tmp_path / "bot" / "__init__.py", "cli", 1) == "bot.cli"
    assert absolute(tmp_path, path, "ops", 3) == absolute(tmp_path, path, None, 5) == ""
