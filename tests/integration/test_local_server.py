"""The app's local-model manager against a real llama-server serving a tiny glm4 model.

The server is built from the llama.cpp vendored in the llama-cpp-python sdist (tests/llama.py,
cached under ~/.cache/glm-desk/); the model is written by the tests with the gguf package.
"""

from __future__ import annotations

import os
import signal
import socket
from pathlib import Path

import httpx
import pytest

from app.core.client import ChatClient
from app.core.discovery import detect
from app.core.errors import ChatError, ErrorKind
from app.core.gguf_info import read_gguf_info
from app.core.localserver import LaunchOptions, LocalServer, ServerState, end_orphan
from app.core.protocol import Message, Role, TextDelta, Timings
from app.core.providers import PROVIDERS
from tests.llama import start_llama_server, stop_llama_server, write_tiny_glm4

pytestmark = [pytest.mark.anyio, pytest.mark.slow]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def options(binary: Path, model: Path, **kw: object) -> LaunchOptions:
    return LaunchOptions(model=model, binary=binary, context=kw.pop("context", 512), **kw)  # type: ignore[arg-type]


def client_for(server: LocalServer, http: httpx.AsyncClient) -> ChatClient:
    provider = PROVIDERS["local"].with_overrides(base_url=server.base_url)
    if server.info:
        provider = provider.with_context(server.info.n_ctx)
    return ChatClient(provider, http, api_key=server.api_key)


async def collect(client: ChatClient, text: str) -> list[object]:
    return [e async for e in client.stream([Message(Role.USER, text)])]


async def test_start_ready_stream_cancel_overflow_crash_and_stop(
    llama_server_bin, tiny_glm4, tmp_path
):
    states: list[str] = []
    server = LocalServer(tmp_path / "llama-server.pid", lambda s, _d: states.append(str(s)))
    with socket.socket() as taken:  # the port asked for is in use: another one is chosen
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        await server.start(options(llama_server_bin, tiny_glm4, port=busy))
        assert str(busy) not in server.base_url
    try:
        assert await server.wait_ready(60), server.detail
        assert states[0] == ServerState.STARTING and states[-1] == ServerState.READY
        assert server.ready_after is not None and server.ready_after < 30
        assert server.info is not None and server.info.n_ctx == 512
        assert server.info.has_chat_template
        assert (tmp_path / "llama-server.pid").exists()
        cmdline = Path(f"/proc/{server.pid}/cmdline").read_bytes().split(b"\0")
        assert b"127.0.0.1" in cmdline  # bound to loopback only
        assert any(b"llama_model_loader" in line.encode() or line for line in server.log_lines)

        async with httpx.AsyncClient(trust_env=False) as http:
            client = client_for(server, http)
            events = await collect(client, "Say something.")
            text = "".join(e.text for e in events if isinstance(e, TextDelta))
            assert text
            assert any(isinstance(e, Timings) and e.predicted_n > 0 for e in events)

            # cancel mid-stream: the server stays healthy and answers the next request
            stream = client.stream([Message(Role.USER, "Write a long story.")])
            async for event in stream:
                if isinstance(event, TextDelta):
                    break
            await stream.aclose()
            again = await collect(client, "Hello again.")
            assert any(isinstance(e, TextDelta) for e in again)

            # more than the 512-token context: a clear message with the counts
            with pytest.raises(ChatError) as overflow:
                await collect(client, "word " * 2000)
            assert overflow.value.kind == ErrorKind.CONTEXT
            assert "512" in overflow.value.message

        # killed from outside: the manager says it crashed and shows the last log lines
        os.kill(server.pid, signal.SIGKILL)
        for _ in range(100):
            if server.state == ServerState.CRASHED:
                break
            await _sleep(0.05)
        assert server.state == ServerState.CRASHED
        assert "exit status -9" in server.detail
        assert not (tmp_path / "llama-server.pid").exists()
    finally:
        await server.stop()
    assert server.state in (ServerState.STOPPED, ServerState.CRASHED)


async def test_stop_leaves_no_process_and_a_left_server_is_ended(
    llama_server_bin, tiny_glm4, tmp_path
):
    pid_file = tmp_path / "llama-server.pid"
    first = LocalServer(pid_file)
    await first.start(options(llama_server_bin, tiny_glm4, port=0))
    assert await first.wait_ready(60), first.detail
    pid = first.pid
    await first.stop()
    assert first.state == ServerState.STOPPED and not _alive(pid) and not pid_file.exists()

    # an app that died without stopping its server: the next start ends that one first
    left = LocalServer(pid_file)
    await left.start(options(llama_server_bin, tiny_glm4, port=0))
    assert await left.wait_ready(60)
    orphan = left.pid
    left._process = None  # the app "forgets" it, as a killed app would
    assert end_orphan(pid_file) == orphan
    assert not _alive(orphan) and not pid_file.exists()


async def test_a_generated_key_protects_the_server_and_stays_off_the_command_line(
    llama_server_bin, tiny_glm4, tmp_path
):
    key = "k-" + os.urandom(12).hex()
    server = LocalServer(tmp_path / "llama-server.pid")
    await server.start(options(llama_server_bin, tiny_glm4, port=0, api_key=key))
    try:
        assert await server.wait_ready(60), server.detail
        assert key.encode() not in Path(f"/proc/{server.pid}/cmdline").read_bytes()
        async with httpx.AsyncClient(trust_env=False) as http:
            events = await collect(client_for(server, http), "Hi")
            assert any(isinstance(e, TextDelta) for e in events)
            provider = PROVIDERS["local"].with_overrides(base_url=server.base_url)
            with pytest.raises(ChatError) as refused:
                await collect(ChatClient(provider, http, api_key="wrong"), "Hi")
            assert refused.value.kind == ErrorKind.AUTH
        (found,) = [s for s in await detect([server.base_url]) if s.base_url == server.base_url]
        assert found.kind == "llama.cpp" and found.needs_key
    finally:
        await server.stop()


async def test_detection_finds_a_second_real_server(llama_server_bin, tiny_glm4, tmp_path):
    proc, base_url = start_llama_server(tiny_glm4, ctx=256)
    try:
        found = await detect([base_url])
        (mine,) = [s for s in found if s.base_url == base_url.rstrip("/") + "/v1"]
        assert mine.kind == "llama.cpp"
        assert mine.models and mine.info is not None and mine.info.n_ctx == 256
        assert "llama.cpp at http://127.0.0.1:" in mine.label
    finally:
        stop_llama_server(proc)


def test_old_glm4_files_are_recognised(llama_server_bin, tmp_path):
    new = read_gguf_info(write_tiny_glm4(tmp_path / "new.gguf", context_length=4096))
    old = read_gguf_info(write_tiny_glm4(tmp_path / "old.gguf", old_metadata=True))
    assert new.architecture == old.architecture == "glm4"
    assert new.context_length == 4096 and new.has_chat_template
    assert new.parameters > 1_000_000 and new.quantization
    assert not new.old_glm4 and old.old_glm4
    # the header walk agrees with the gguf package's own reader (which takes seconds on a
    # real GLM-4 vocabulary, hence the walk)
    import math

    from gguf import GGUFReader

    reader = GGUFReader(tmp_path / "new.gguf")
    assert new.parameters == sum(math.prod(int(d) for d in t.shape) for t in reader.tensors)
    assert new.eot_id == int(reader.fields["tokenizer.ggml.eot_token_id"].parts[-1][0])
    assert new.eos_id == int(reader.fields["tokenizer.ggml.eos_token_id"].parts[-1][0])


async def _sleep(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(seconds)


def _alive(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
