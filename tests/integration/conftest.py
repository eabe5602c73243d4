"""Integration fixtures: a real llama-server and tiny glm4 models (see tests/llama.py).

The server is built once per machine into ~/.cache/glm-desk/ on first use (several minutes on
2 cores, progress shown even under pytest's output capture); later sessions reuse the cache.
Tests that use these fixtures are marked ``slow`` and ``llama_server`` automatically, so
``-m "not llama_server"`` skips the build.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from tests import llama

LLAMA_FIXTURES = frozenset({"llama_server_bin", "tiny_glm4", "tiny_glm4_old"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if LLAMA_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.llama_server)
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def llama_server_bin(pytestconfig: pytest.Config) -> Path:
    """The cached ``llama-server`` binary (its shared libraries beside it), built on first use."""
    if llama.is_built():
        return llama.llama_server_binary()
    capture = pytestconfig.pluginmanager.getplugin("capturemanager")
    show = capture.global_and_fixture_disabled() if capture else contextlib.nullcontext()
    with show:  # a build takes minutes: let its progress through
        return llama.llama_server_binary()


@pytest.fixture(scope="session")
def tiny_glm4(llama_server_bin: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random-weight glm4 GGUF (current metadata, context_length 2048), one per session."""
    return llama.write_tiny_glm4(tmp_path_factory.mktemp("tiny-glm4") / "tiny-glm4.gguf")


@pytest.fixture(scope="session")
def tiny_glm4_old(llama_server_bin: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same model with pre-April-2025 metadata (eos set, no eot), one per session."""
    path = tmp_path_factory.mktemp("tiny-glm4-old") / "tiny-glm4-old.gguf"
    return llama.write_tiny_glm4(path, old_metadata=True)
