"""The test infrastructure itself: a real llama-server (tests/llama.py) serving a tiny glm4 GGUF,
spoken to with httpx directly (not through the app)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests import llama

pytestmark = [pytest.mark.slow, pytest.mark.llama_server]


@pytest.fixture(scope="module")
def server(tiny_glm4: Path) -> Iterator[str]:
    """A bare llama-server on the tiny model with ``-c 512``; yields its base URL."""
    proc, base_url = llama.start_llama_server(tiny_glm4, ctx=512)
    yield base_url
    llama.stop_llama_server(proc)


@pytest.fixture
def http(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=30, trust_env=False) as client:
        yield client


def sse_events(response: httpx.Response) -> list[dict | str]:
    """The ``data:`` payloads of a stream, decoded (``"[DONE]"`` kept as a string)."""
    events: list[dict | str] = []
    for line in response.iter_lines():
        if line.startswith("data: "):
            data = line[len("data: ") :]
            events.append(data if data == "[DONE]" else json.loads(data))
    return events


def test_tiny_model_loads_and_health_turns_200(tiny_glm4: Path, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    started = time.monotonic()
    proc, base_url = llama.start_llama_server(tiny_glm4, ctx=256, log_path=log)
    try:
        ready_after = time.monotonic() - started
        response = httpx.get(f"{base_url}/health", trust_env=False)
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}
        assert ready_after < 30, f"load-to-ready took {ready_after:.1f} s"
        text = log.read_text()
        assert "model loaded" in text
        assert "listening on " + base_url in text
    finally:
        llama.stop_llama_server(proc)
    assert proc.returncode is not None


def test_props_show_the_context_and_the_chat_template(http: httpx.Client, tiny_glm4: Path) -> None:
    props = http.get("/props").json()
    assert props["default_generation_settings"]["n_ctx"] == 512
    assert props["chat_template"] == llama.TINY_CHAT_TEMPLATE
    assert props["model_path"] == str(tiny_glm4)
    assert props["total_slots"] >= 1
    assert props["bos_token"] == props["eos_token"] == "<|endoftext|>"
    # Like GLM-4-0414's own template: tools are listed, tool calls are not rendered.
    caps = props["chat_template_caps"]
    assert caps["supports_tools"] is True
    assert caps["supports_tool_calls"] is False
    assert props["build_info"]

    prompt = http.post(
        "/apply-template",
        json={
            "messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": "hi"},
            ]
        },
    ).json()["prompt"]
    assert prompt == "[gMASK]<sop><|system|>\nBe brief.<|user|>\nhi<|assistant|>"
    tokens = http.post("/tokenize", json={"content": prompt}).json()["tokens"]
    assert tokens[:3] == [50258, 50260, 50262]  # [gMASK] <sop> <|system|>: one token each


def stream_chat(http: httpx.Client, **extra: object) -> list[dict]:
    # seed: the same build samples the same tokens on every run (the weights are seeded too)
    body = {
        "messages": [{"role": "user", "content": "Say something."}],
        "stream": True,
        "seed": 0,
        **extra,
    }
    with http.stream("POST", "/v1/chat/completions", json=body) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = sse_events(response)
    assert events[-1] == "[DONE]"
    chunks = events[:-1]
    assert all(isinstance(c, dict) for c in chunks)
    return chunks  # type: ignore[return-value]


def test_streamed_chat_completion_has_deltas_and_a_final_chunk_with_timings(
    http: httpx.Client,
) -> None:
    """What an OpenAI-compatible client relies on, not how a build frames it: the first delta
    may be role only ({"role": "assistant", "content": null}) or carry text already."""
    chunks = stream_chat(http, max_tokens=24)
    choices = [c["choices"][0] for c in chunks]  # one choice per chunk (no "n")
    deltas = [c["delta"] for c in choices]
    assert all(isinstance(d, dict) for d in deltas)
    assert deltas[0].get("role") == "assistant"
    assert all(d.get("role", "assistant") == "assistant" for d in deltas)
    assert all(d.get("content") is None or isinstance(d["content"], str) for d in deltas)
    text = "".join(d.get("content") or "" for d in deltas)
    pieces = sum(bool(d.get("content")) for d in deltas)

    # One finish_reason, on the last chunk. A random model seldom picks one of its 3 end
    # tokens out of 50,266: it runs to max_tokens.
    assert all(c.get("finish_reason") is None for c in choices[:-1])
    reason = choices[-1]["finish_reason"]
    assert reason in {"length", "stop"}
    timings = chunks[-1]["timings"]
    assert timings["prompt_n"] >= 1 and timings["predicted_per_second"] > 0
    if reason == "length":
        assert timings["predicted_n"] == 24
        assert text.strip() and pieces >= 2  # text, streamed in pieces rather than at once


def test_with_include_usage_the_timings_move_to_the_usage_chunk(http: httpx.Client) -> None:
    chunks = stream_chat(http, max_tokens=8, stream_options={"include_usage": True})
    finish, usage_chunk = chunks[-2], chunks[-1]
    assert finish["choices"][0]["finish_reason"] in {"length", "stop"}
    assert "timings" not in finish  # unlike the stream without include_usage
    assert usage_chunk["choices"] == []
    usage = usage_chunk["usage"]
    assert usage["completion_tokens"] == usage_chunk["timings"]["predicted_n"] >= 1
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


def test_an_over_long_prompt_is_a_400_exceed_context_size_error(tiny_glm4: Path) -> None:
    proc, base_url = llama.start_llama_server(tiny_glm4, ctx=128, extra=["-a", "glm-4-32b"])
    try:
        long_text = " ".join(f"word{i}" for i in range(300))  # 605 tokens
        with httpx.Client(base_url=base_url, timeout=30, trust_env=False) as client:
            # llama.cpp pads the context to a multiple of 256: -c 128 serves 256 tokens
            n_ctx = client.get("/props").json()["default_generation_settings"]["n_ctx"]
            assert n_ctx == 256
            for stream in (False, True):  # before streaming starts, an error is plain HTTP
                response = client.post(
                    "/v1/chat/completions",
                    json={"messages": [{"role": "user", "content": long_text}], "stream": stream},
                )
                assert response.status_code == 400
                error = response.json()["error"]
                assert error["code"] == 400
                assert error["type"] == "exceed_context_size_error"
                assert error["n_ctx"] == n_ctx
                assert error["n_prompt_tokens"] > n_ctx
                assert f"exceeds the available context size ({n_ctx} tokens)" in error["message"]

            # -a sets the id /v1/models reports
            assert [m["id"] for m in client.get("/v1/models").json()["data"]] == ["glm-4-32b"]
    finally:
        llama.stop_llama_server(proc)


def test_v1_models_lists_the_model(http: httpx.Client, tiny_glm4: Path) -> None:
    listing = http.get("/v1/models").json()
    assert listing["object"] == "list"
    (model,) = listing["data"]
    assert model["id"] == str(tiny_glm4)  # without -a, the id is the model path
    assert model["owned_by"] == "llamacpp"
    meta = model["meta"]
    assert meta["n_ctx_train"] == 2048
    assert meta["n_vocab"] == llama.TINY_N_VOCAB
    assert meta["n_embd"] == 64
    assert meta["n_params"] > 0 and meta["size"] > 0
    assert listing["models"]


def test_old_and_new_metadata_differ_only_in_eot(tiny_glm4: Path, tiny_glm4_old: Path) -> None:
    new, old = llama.gguf_metadata(tiny_glm4), llama.gguf_metadata(tiny_glm4_old)
    assert new.pop("tokenizer.ggml.eot_token_id") == llama.USER_ID == 50263
    assert "tokenizer.ggml.eot_token_id" not in old
    assert new == old
    scalars = {
        k: v for k, v in old.items() if not isinstance(v, list) and k != "tokenizer.chat_template"
    }
    assert scalars == {
        "general.architecture": "glm4",
        "general.name": "GLM Desk tiny glm4",
        "general.file_type": 1,
        "glm4.context_length": 2048,
        "glm4.embedding_length": 64,
        "glm4.block_count": 2,
        "glm4.feed_forward_length": 128,
        "glm4.attention.head_count": 4,
        "glm4.attention.head_count_kv": 2,
        "glm4.attention.layer_norm_rms_epsilon": pytest.approx(1e-5),
        "glm4.rope.dimension_count": 8,
        "glm4.rope.freq_base": 10000.0,
        "tokenizer.ggml.model": "gpt2",
        "tokenizer.ggml.pre": "gpt-2",
        "tokenizer.ggml.bos_token_id": 50256,
        "tokenizer.ggml.eos_token_id": 50256,
        "tokenizer.ggml.unknown_token_id": 50256,
        "tokenizer.ggml.add_bos_token": False,
    }
    tokens = old["tokenizer.ggml.tokens"]
    assert len(tokens) == len(old["tokenizer.ggml.token_type"]) == llama.TINY_N_VOCAB
    assert tokens[50256:] == ["<|endoftext|>", *llama.GLM4_EXTRA_SPECIAL_TOKENS]
    assert set(old["tokenizer.ggml.token_type"][50256:]) == {3}  # CONTROL
    assert len(old["tokenizer.ggml.merges"]) == 50000


def test_the_tiny_model_is_the_same_file_every_time(tiny_glm4: Path, tmp_path: Path) -> None:
    """Its weights come from a seeded generator: every run serves the same model."""
    again = llama.write_tiny_glm4(tmp_path / "again.gguf")
    digest = [hashlib.sha256(p.read_bytes()).hexdigest() for p in (tiny_glm4, again)]
    assert digest[0] == digest[1]


def test_the_old_file_loads_and_generates(tiny_glm4_old: Path) -> None:
    proc, base_url = llama.start_llama_server(tiny_glm4_old, ctx=256)
    try:
        response = httpx.post(
            f"{base_url}/v1/chat/completions",
            json={"messages": [{"role": "user", "content": "hi"}], "max_tokens": 4},
            timeout=30,
            trust_env=False,
        )
        assert response.status_code == 200
        assert response.json()["usage"]["completion_tokens"] >= 1
    finally:
        llama.stop_llama_server(proc)


def test_start_llama_server_reports_a_model_that_does_not_load(tmp_path: Path) -> None:
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF not really")
    with pytest.raises(RuntimeError, match="exited"):
        llama.start_llama_server(bad, timeout=30)


def test_the_cached_binary_runs_without_ld_library_path(llama_server_bin: Path) -> None:
    result = subprocess.run(
        [str(llama_server_bin), "--version"], capture_output=True, text=True, env={}, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert (llama_server_bin.parent / "libllama.so").exists()
    if shutil.which("readelf"):  # the libraries are found beside the binary, wherever it is
        dynamic = subprocess.run(
            ["readelf", "-d", str(llama_server_bin)], capture_output=True, text=True
        ).stdout
        assert "[$ORIGIN]" in dynamic
    assert (llama.cache_dir() / "models" / llama.GPT2_VOCAB).is_file()


def test_the_shipped_glm4_template_replays_tool_calls_and_results(tiny_glm4: Path) -> None:
    """llama-server with the app's GLM-4-0414 template (`--jinja --chat-template-file`):
    a past call is written as the model writes one, its result as an observation turn,
    and the tools are listed as GLM-4-0414 expects them."""
    from app.core.localserver import GLM4_TOOLS_TEMPLATE
    from app.core.tools.workspace import READ_FILE

    extra = ["--jinja", "--chat-template-file", str(GLM4_TOOLS_TEMPLATE)]
    proc, base_url = llama.start_llama_server(tiny_glm4, ctx=512, extra=extra)
    try:
        messages = [
            {"role": "user", "content": "What does a.py return?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "read_file", "arguments": '{"path": "a.py"}'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": "return 42"},
        ]
        with httpx.Client(base_url=base_url, timeout=30, trust_env=False) as http:
            body = {"messages": messages, "tools": [READ_FILE.to_wire()]}
            prompt = http.post("/apply-template", json=body).raise_for_status().json()["prompt"]
    finally:
        llama.stop_llama_server(proc)
    assert prompt.startswith("[gMASK]<sop><|system|>\n# 可用工具")
    assert "## read_file" in prompt and '"name": "read_file"' in prompt
    assert '<|user|>\nWhat does a.py return?<|assistant|>read_file\n{"path": "a.py"}' in prompt
    assert prompt.endswith("<|observation|>\nreturn 42<|assistant|>")
