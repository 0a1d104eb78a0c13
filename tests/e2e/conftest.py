import pytest

from tests.support.servers import ROOT, ActionServer, RasaServer


@pytest.fixture(scope="session")
def backline(tmp_path_factory):
    """The real action server and Rasa server, on free ports, with the trained model in models/."""
    if not any((ROOT / "models").glob("*.tar.gz")):
        pytest.fail("no trained model in models/: run `make train` first (make test does)")
    workdir = tmp_path_factory.mktemp("servers")
    actions = ActionServer(workdir).start()
    rasa = RasaServer(workdir, action_url=actions.webhook)
    try:
        rasa.start()
        yield rasa
    finally:
        rasa.stop()
        actions.stop()
