"""Shared fixtures for the clinical-core tests, and the vignette summary line."""
import shutil

import pytest

SUMMARY_KEY = pytest.StashKey[list]()


@pytest.fixture
def vignette_summary(request):
    """Lines added here are printed at the end of the run (visible without -s)."""
    return request.config.stash.setdefault(SUMMARY_KEY, [])


def pytest_terminal_summary(terminalreporter, config):
    for line in config.stash.get(SUMMARY_KEY, []):
        terminalreporter.write_line(line)


@pytest.fixture
def kb_copy(tmp_path):
    """A writable copy of the knowledge base folder, for breaking it on purpose."""
    from bot.knowledge_base import KNOWLEDGE_DIR
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, target)
    return target
