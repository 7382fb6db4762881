import pytest


@pytest.fixture(scope="session")
def emocourse_home(tmp_path_factory):
    """A private EMOCOURSE_HOME for the whole test session (weights are converted once into it)."""
    return tmp_path_factory.mktemp("emocourse-home")


@pytest.fixture(autouse=True)
def _isolated_home(emocourse_home, monkeypatch):
    monkeypatch.setenv("EMOCOURSE_HOME", str(emocourse_home))
