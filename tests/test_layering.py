"""Arrows only point down (docs/interface.md, Layers): the clinical core imports no framework, the Rasa
server never loads the action server, nothing outside tests/ imports tests, the harness loads without
pytest, the speed-ups are a room of their own (arrows only to Rasa and ops/settings.py), and no module
imports itself through others (no import circles). Imports are read from the source with `ast`, not by
importing, so a lazy import inside a function counts as much as one at the top, and the check needs none of
the packages it names."""
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
    inside: Tuple[str, ...] = ()      # applies to files under these folders (or these files) ...
    outside: Tuple[str, ...] = ()     # ... or to every file not under these
    top_level_only: bool = False      # only imports that run when the module is imported
    allowed: Tuple[str, ...] = ()     # modules (and their submodules) allowed although under `forbidden`


# The speed-ups (components/rasa_patches.py lists them): the patch module, the modules whose functions it installs
# (reading_off_loop among them, though it is not a speed-up),
# the policy class config.yml names, and the tracker cache of the store endpoints.yml names. They may import Rasa,
# the settings and each other; what uses them imports them, never the other way round.
SPEED_UPS = ("components/rasa_patches.py", "components/action_transport.py", "components/action_result_check.py",
             "components/graph_runner.py", "components/incremental_states.py", "components/incremental_tracker.py",
             "components/rule_lookup.py", "components/reading_off_loop.py", "ops/tracker_cache.py")
PROJECT_PACKAGES = ("actions", "bench", "bot", "channels", "components", "harness", "ops", "reports", "scripts",
                    "tests", "web")

RULES = (
    Rule("the clinical core imports no framework and no outer layer", inside=("bot",),
         forbidden=("rasa", "rasa_sdk", "actions", "components", "ops", "channels", "harness", "tests", "bench")),
    Rule("the Rasa server's packages never load the action server", inside=("components", "channels", "ops"),
         forbidden=("actions", "rasa_sdk")),
    Rule("nothing outside tests/ imports tests", outside=("tests",), forbidden=("tests",)),
    Rule("the harness loads without pytest (bench/ uses it)", inside=("harness",), forbidden=("pytest", "_pytest"),
         top_level_only=True),
    Rule("the speed-ups import only Rasa, ops/settings.py and each other", inside=SPEED_UPS,
         forbidden=PROJECT_PACKAGES,
         allowed=("ops.settings", *(path[:-3].replace("/", ".") for path in SPEED_UPS))),
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


def is_module(root: Path, module: str) -> bool:
    """Whether `module` is a file of the tree (a module or a package)."""
    base = root.joinpath(*module.split(".")) if module else root
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


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
            # `from ops import settings` imports the module ops.settings; `from ops import x` (x not a module of
            # the tree: a name, or a module of a package outside it) imports ops.
            modules = [f"{base}.{alias.name}" for alias in node.names
                       if base and is_module(root, f"{base}.{alias.name}")]
            if len(modules) < len(node.names):
                found.append(Import(relative, base, node.lineno, not in_function))
            found.extend(Import(relative, module, node.lineno, not in_function) for module in modules)
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
        return top in rule.inside or relative in rule.inside
    return top not in rule.outside


def within(module: str, names) -> bool:
    return any(module == name or module.startswith(name + ".") for name in names)


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
            if within(imported.module, rule.forbidden) and not within(imported.module, rule.allowed):
                found.append(f"{relative}:{imported.line} imports {imported.module}")
    return sorted(set(found))


def circles(root: Path) -> List[str]:
    """Each group of the tree's modules that import one another round in a circle (lazy imports too: a circle
    that only closes inside a function still ties the two modules together), as "a, b, c" sorted. An import of
    a package a module is inside of is not an arrow (Python has loaded that package first)."""
    modules = {".".join(module_parts(root, path)): path for path in python_files(root)}
    arrows = {name: set() for name in modules}
    for name, path in modules.items():
        try:
            file_imports = imports(root, path)
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue  # reported by the rules
        for imported in file_imports:
            parts = imported.module.split(".")
            target = next((".".join(parts[:n]) for n in range(len(parts), 0, -1) if ".".join(parts[:n]) in modules),
                          None)
            if target and target != name and not name.startswith(target + "."):
                arrows[name].add(target)
    # Tarjan's strongly connected components.
    index: dict = {}
    low: dict = {}
    stack: List[str] = []
    found: List[str] = []

    def connect(name: str) -> None:
        index[name] = low[name] = len(index)
        stack.append(name)
        for target in sorted(arrows[name]):
            if target not in index:
                connect(target)
                low[name] = min(low[name], low[target])
            elif target in stack:
                low[name] = min(low[name], index[target])
        if low[name] == index[name]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == name:
                    break
            if len(group) > 1:
                found.append(", ".join(sorted(group)))

    for name in sorted(modules):
        if name not in index:
            connect(name)
    return sorted(found)


def test_no_module_imports_itself_through_others():
    assert circles(ROOT) == []


@pytest.mark.parametrize("rule", RULES, ids=[rule.name for rule in RULES])
def test_the_tree_keeps_its_layers(rule):
    assert violations(ROOT, rule) == []


def test_the_tree_has_the_packages_the_rules_name():
    """A rule about a folder that is not there (renamed, moved) would pass without checking anything."""
    for rule in RULES:
        for folder in rule.inside:
            if folder.endswith(".py"):
                assert (ROOT / folder).is_file(), f"{rule.name}: no file {folder}"
            else:
                assert any(python_files(ROOT / folder)), f"{rule.name}: no Python files under {folder}/"


def synthetic_tree(tmp_path: Path) -> dict:
    case = yaml.safe_load(SYNTHETIC_TREE.read_text())
    for relative, source in case["files"].items():
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source or "")
    return case


def test_the_checker_finds_every_kind_of_violation(tmp_path):
    case = synthetic_tree(tmp_path)
    expected = case["violations"]
    found = {rule.name: violations(tmp_path, rule) for rule in RULES}
    assert found == {rule.name: sorted(expected.get(rule.name) or []) for rule in RULES}
    assert circles(tmp_path) == sorted(case["circles"])


def test_relative_imports_resolve_against_the_importing_package(tmp_path):
    path = tmp_path / "bot" / "knowledge" / "load.py"
    assert absolute(tmp_path, path, "extract", 2) == "bot.extract"
    assert absolute(tmp_path, path, None, 1) == "bot.knowledge"
    assert absolute(tmp_path, tmp_path / "bot" / "__init__.py", "cli", 1) == "bot.cli"
    assert absolute(tmp_path, path, "ops", 3) == absolute(tmp_path, path, None, 5) == ""
