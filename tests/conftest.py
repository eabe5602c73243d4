"""Shared test set-up: offscreen Qt, a fresh profile per test, no real keys."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["QT_API"] = "pyside6"

from tests.protocol_servers import ProtocolServer

# Leak check after each test under tests/ui (it checks the path itself: a non-top-level
# conftest may not name plugins).
pytest_plugins = ["tests.ui.leaks"]

KEY_VARS = ("ZAI_API_KEY", "OPENROUTER_API_KEY", "GLM_DESK_API_KEY", "GLM_DESK_PROFILE")


@pytest.fixture(autouse=True)
def _isolated_profile(tmp_path, monkeypatch) -> None:
    for name in KEY_VARS:
        monkeypatch.delenv(name, raising=False)
    profile = tmp_path / "profile"
    monkeypatch.setenv("GLM_DESK_PROFILE", str(profile))
    # Loopback test servers must never be reached through a proxy.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(params=["openrouter", "zai", "llama"])
def flavor_server(request) -> Iterator[ProtocolServer]:
    with ProtocolServer(request.param) as server:
        yield server


@pytest.fixture
def make_server() -> Iterator:
    servers: list[ProtocolServer] = []

    def make(flavor: str = "openrouter", **kw) -> ProtocolServer:
        server = ProtocolServer(flavor, **kw).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


def pytest_addoption(parser) -> None:
    parser.addoption("--perf", action="store_true", help="run the benchmarks in tests/perf")


def pytest_ignore_collect(collection_path, config) -> bool | None:
    # Benchmarks run on demand only: `pytest tests/perf --perf -s`.
    if "perf" in collection_path.parts and not config.getoption("--perf"):
        return True
    return None
