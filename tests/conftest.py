import pathlib

import pytest

from harness.servers import MissingModel

E2E_DIR = pathlib.Path(__file__).parent / "e2e"


def pytest_collection_modifyitems(items):
    # Everything under tests/e2e/ needs the trained model and real servers: `make test` runs it last.
    for item in items:
        if E2E_DIR in pathlib.Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    # No trained model is a setup mistake with one fix: report that line, not the harness's traceback.
    outcome = yield
    if call.excinfo is not None and call.excinfo.errisinstance(MissingModel):
        outcome.get_result().longrepr = f"{call.excinfo.typename}: {call.excinfo.value}"
