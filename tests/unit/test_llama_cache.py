"""tests/llama.py's cache: one build for parallel callers, no half cache, a clear message when
the compiler is missing. The real build is replaced by a fake one; nothing is downloaded."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from tests import llama


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(llama.CACHE_ENV, str(tmp_path / "base"))
    return llama.cache_dir()


def test_cache_dir_is_keyed_by_version_and_follows_the_override(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cache == tmp_path / "base" / f"llama-server-{llama.LLAMA_CPP_PYTHON_VERSION}"
    monkeypatch.delenv(llama.CACHE_ENV)
    assert llama.cache_dir() == (
        Path.home() / ".cache" / "glm-desk" / f"llama-server-{llama.LLAMA_CPP_PYTHON_VERSION}"
    )


def test_parallel_callers_build_once(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    builds: list[Path] = []

    def fake_build(final: Path) -> None:
        builds.append(final)
        time.sleep(0.3)  # long enough for the other callers to queue on the lock
        work = final.with_name(final.name + ".partial")
        (work / "out" / "bin").mkdir(parents=True)
        (work / "out" / "bin" / "llama-server").write_text("")
        (work / "out").rename(final)

    monkeypatch.setattr(llama, "_build_into", fake_build)
    results: list[Path] = []
    threads = [
        threading.Thread(target=lambda: results.append(llama.llama_server_binary()))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert builds == [cache]
    assert results == [cache / "bin" / "llama-server"] * 4


def test_an_interrupted_build_leaves_no_cache(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_download(dest: Path) -> Path:
        dest.mkdir(parents=True)
        raise KeyboardInterrupt  # Ctrl+C during the download

    monkeypatch.setattr(llama, "_check_toolchain", lambda: None)
    monkeypatch.setattr(llama, "_download_sdist", fake_download)
    with pytest.raises(KeyboardInterrupt):
        llama.llama_server_binary()
    assert not cache.exists()
    assert not llama.is_built()
    # the partial directory stays for the next attempt to reuse; the lock is released
    assert cache.with_name(cache.name + ".partial").is_dir()
    monkeypatch.setattr(llama, "_download_sdist", lambda dest: (_ for _ in ()).throw(OSError))
    with pytest.raises(OSError):
        llama.llama_server_binary()


def test_a_missing_compiler_names_the_system_deps_script(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(llama.shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match=r"install-system-deps\.sh --test") as error:
        llama.llama_server_binary()
    assert "cmake" in str(error.value) and "C++ compiler" in str(error.value)
    assert not cache.exists()
