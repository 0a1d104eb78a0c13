import pathlib

import pytest

E2E_DIR = pathlib.Path(__file__).parent / "e2e"


def pytest_collection_modifyitems(items):
    # Everything under tests/e2e/ needs the trained model and real servers: `make test` runs it last.
    for item in items:
        if E2E_DIR in pathlib.Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)
