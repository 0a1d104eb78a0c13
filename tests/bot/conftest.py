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


@pytest.fixture(autouse=True)
def rules_reader():
    """The clinical-core tests test the hand rules: the second reader (trained by `make train` into models/,
    so present or not depending on the machine) is off here and tested on its own in test_reading_model.py;
    the readers together are judged by the corpus figures (bench/reading.py) and the end-to-end stage."""
    from bot import reading_model

    reading_model.use("rules")
    yield
    reading_model.use("both")


@pytest.fixture
def kb_copy(tmp_path):
    """A writable copy of the knowledge base folder, for breaking it on purpose."""
    from bot.knowledge_base import KNOWLEDGE_DIR
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, target)
    return target
