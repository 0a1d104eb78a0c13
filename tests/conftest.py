import pathlib
import random
import sys

import pytest

from harness.servers import MissingModel

E2E_DIR = pathlib.Path(__file__).parent / "e2e"


def pytest_addoption(parser):
    parser.addoption("--shuffle", type=int, default=None, metavar="SEED",
                     help="run the collected tests in a random order drawn from SEED (tests must not depend on order)")


def pytest_collection_modifyitems(config, items):
    # Everything under tests/e2e/ needs the trained model and real servers: `make test` runs it last.
    for item in items:
        if E2E_DIR in pathlib.Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)
    seed = config.getoption("--shuffle")
    if seed is not None:
        random.Random(seed).shuffle(items)


@pytest.fixture(autouse=True)
def rasas_own_functions():
    """No test leaves a patch of Rasa behind: after each test, every name components/rasa_patches.py replaces is
    Rasa's own again (a model loaded in a test installs them, as in the server)."""
    yield
    patches = sys.modules.get("components.rasa_patches")
    if patches is not None:
        patches.uninstall()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    # No trained model is a setup mistake with one fix: report that line, not the harness's traceback.
    outcome = yield
    if call.excinfo is not None and call.excinfo.errisinstance(MissingModel):
        outcome.get_result().longrepr = f"{call.excinfo.typename}: {call.excinfo.value}"
