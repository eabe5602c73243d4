"""A real llama.cpp ``llama-server`` and a tiny ``glm4`` model for tests (no Qt).

``llama_server_binary()`` builds ``llama-server`` once per machine from the llama.cpp that the
``llama-cpp-python`` sdist on PyPI vendors, and caches it (with the tokenizer-only vocab GGUFs
of the same tree) under ``~/.cache/glm-desk/llama-server-<version>/``:

    bin/llama-server, bin/lib*.so*      the server and its shared libraries (RUNPATH $ORIGIN)
    models/ggml-vocab-*.gguf            tokenizer-only GGUFs
    build-info.json                     version, cmake flags, build seconds

A cold build takes several minutes on 2 cores; later calls return at once. Set
``GLM_DESK_LLAMA_CACHE`` to use another base directory than ``~/.cache/glm-desk``.

``write_tiny_glm4()`` writes a random-weight GGUF of architecture ``glm4`` (about 8 MB) that
the server loads in well under a second; ``start_llama_server()`` runs a bare server on it.

Command line (for people): ``python -m tests.llama build`` builds or finds the server and prints
its path; ``python -m tests.llama model OUT.gguf [--old]`` writes a tiny model;
``python -m tests.llama serve [--port N]`` serves a tiny model until Ctrl+C.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import functools
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

LLAMA_CPP_PYTHON_VERSION = "0.3.36"
"""The PyPI ``llama-cpp-python`` sdist whose vendored llama.cpp the tests build."""

CACHE_ENV = "GLM_DESK_LLAMA_CACHE"
"""Overrides the base directory (default ``~/.cache/glm-desk``); the version is appended."""

SYSTEM_DEPS_HINT = "./packaging/linux/install-system-deps.sh --test"

CMAKE_FLAGS = (
    "-DCMAKE_BUILD_TYPE=Release",
    "-DLLAMA_CURL=OFF",
    "-DLLAMA_BUILD_TESTS=OFF",
    "-DLLAMA_BUILD_EXAMPLES=OFF",
    # The build tree's RUNPATH is the absolute build directory, which is deleted after the
    # copy into the cache; $ORIGIN lets bin/llama-server find the libggml*/libllama* beside it.
    "-DCMAKE_BUILD_WITH_INSTALL_RPATH=ON",
    "-DCMAKE_INSTALL_RPATH=$ORIGIN",
)

# The tiny model's vocabulary: GPT-2's 50,257 tokens (its only special token is
# <|endoftext|> = 50256) followed by GLM-4's other special tokens, in GLM-4's own order, so
# that every tiny id is the real GLM-4-0414 id minus 101,073 (<|endoftext|> 151329 -> 50256,
# <|user|> 151336 -> 50263). The chat template's markers are single control tokens, as in the
# real model, and llama.cpp's end-of-generation rules see the same texts.
GPT2_VOCAB = "ggml-vocab-gpt-2.gguf"
GLM4_EXTRA_SPECIAL_TOKENS = (
    "[MASK]",  # 50257
    "[gMASK]",  # 50258
    "[sMASK]",  # 50259
    "<sop>",  # 50260
    "<eop>",  # 50261
    "<|system|>",  # 50262
    "<|user|>",  # 50263
    "<|assistant|>",  # 50264
    "<|observation|>",  # 50265
)
ENDOFTEXT_ID = 50256
USER_ID = 50263
TINY_N_VOCAB = 50257 + len(GLM4_EXTRA_SPECIAL_TOKENS)  # 50266

TINY_HPARAMS = {
    "embedding_length": 64,
    "block_count": 2,
    "feed_forward_length": 128,
    "head_count": 4,
    "head_count_kv": 2,
}

# A GLM-4-0414-like template: "[gMASK]<sop>", an optional tools block headed "# 可用工具",
# then <|system|>/<|user|>/<|assistant|>/<|observation|> turns, each marker followed by a
# newline and the content. Like the real one it does not render assistant tool_calls, and it
# drops role "tool" messages from the history.
TINY_CHAT_TEMPLATE = (
    "[gMASK]<sop>"
    "{%- if tools -%}<|system|>\n# 可用工具"
    "{%- for tool in tools %}\n\n## {{ tool.function.name }}\n\n{{ tool.function | tojson }}"
    "\n在调用上述函数时，请使用 Json 格式表示调用的参数。{%- endfor -%}"
    "{%- endif -%}"
    "{%- for message in messages -%}"
    "{%- if message.role in ['system', 'user', 'assistant', 'observation'] -%}"
    "<|{{ message.role }}|>\n{{ message.content if message.content is string else '' }}"
    "{%- endif -%}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}<|assistant|>{%- endif -%}"
)


def _log(message: str) -> None:
    print(f"[llama-server cache] {message}", file=sys.stderr, flush=True)


# --- the cached server ----------------------------------------------------------------------


def cache_dir() -> Path:
    """``~/.cache/glm-desk/llama-server-<version>/`` (``$GLM_DESK_LLAMA_CACHE`` replaces the
    ``~/.cache/glm-desk`` part). The directory exists only once a build is complete."""
    base = os.environ.get(CACHE_ENV)
    root = Path(base).expanduser() if base else Path.home() / ".cache" / "glm-desk"
    return root / f"llama-server-{LLAMA_CPP_PYTHON_VERSION}"


def is_built() -> bool:
    """True when the cache holds a finished build (nothing is downloaded or built)."""
    return (cache_dir() / "bin" / "llama-server").is_file()


def llama_server_binary() -> Path:
    """``<cache>/bin/llama-server``, downloading the sdist and building it first if needed.

    Parallel callers (pytest-xdist workers, two checkouts) serialize on ``<cache>.lock``; the
    build happens in ``<cache>.partial/`` and is renamed to ``<cache>`` only when complete, so
    an interrupted build never leaves a half cache (its download and build tree are reused by
    the next attempt). Raises ``RuntimeError`` naming the system-deps script when cmake, make
    or a C++ compiler is missing.
    """
    final = cache_dir()
    binary = final / "bin" / "llama-server"
    if binary.is_file():
        return binary
    final.parent.mkdir(parents=True, exist_ok=True)
    with _locked(final.with_name(final.name + ".lock")):
        if not binary.is_file():  # another process may have finished while we waited
            _build_into(final)
    return binary


def vocab_gguf(name: str = GPT2_VOCAB) -> Path:
    """A tokenizer-only vocab GGUF from the cache (default: GPT-2's), building it if needed."""
    llama_server_binary()
    path = cache_dir() / "models" / name
    if not path.is_file():
        raise FileNotFoundError(f"{name} is not in {path.parent}")
    return path


@contextlib.contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    with open(lock_path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            _log(f"waiting for another process building into {lock_path.with_suffix('')} ...")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _check_toolchain() -> None:
    missing = [tool for tool in ("cmake", "make") if shutil.which(tool) is None]
    if not any(shutil.which(cxx) for cxx in ("c++", "g++", "clang++")):
        missing.append("a C++ compiler (g++)")
    if not any(shutil.which(cc) for cc in ("cc", "gcc", "clang")):
        missing.append("a C compiler (gcc)")
    if missing:
        raise RuntimeError(
            f"building llama-server for the tests needs {', '.join(missing)}; "
            f"install them with {SYSTEM_DEPS_HINT} (Debian packages cmake, g++, make)"
        )


def _build_into(final: Path) -> None:
    _check_toolchain()
    started = time.monotonic()
    work = final.with_name(final.name + ".partial")
    work.mkdir(exist_ok=True)
    _log(
        f"building llama-server from llama-cpp-python {LLAMA_CPP_PYTHON_VERSION} into {final} "
        "(once per machine; several minutes on 2 cores)"
    )
    source = _extract_llama_cpp(_download_sdist(work / "src"), work / "extracted")
    build = work / "build"
    log_path = work / "build.log"
    with open(log_path, "a") as log:
        _log("cmake configure ...")
        _run(["cmake", "-S", str(source), "-B", str(build), *CMAKE_FLAGS], log, log_path)
        jobs = str(os.cpu_count() or 2)
        _log(f"cmake --build --target llama-server -j{jobs} (log: {log_path}) ...")
        _run(
            ["cmake", "--build", str(build), "--target", "llama-server", "-j", jobs],
            log,
            log_path,
            progress=True,
        )

    out = work / "out"
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(build / "bin", out / "bin", symlinks=True)
    (out / "models").mkdir()
    for vocab in sorted((source / "models").glob("ggml-vocab-*.gguf")):
        shutil.copy2(vocab, out / "models" / vocab.name)
    check = subprocess.run(
        [str(out / "bin" / "llama-server"), "--version"],
        capture_output=True,
        text=True,
        env=_server_env(),
        timeout=60,
    )
    if check.returncode != 0:
        raise RuntimeError(f"the built llama-server does not run: {check.stderr.strip()[-2000:]}")
    seconds = round(time.monotonic() - started, 1)
    info = {
        "llama_cpp_python": LLAMA_CPP_PYTHON_VERSION,
        "version": (check.stdout + check.stderr).strip().splitlines()[:2],
        "cmake_flags": list(CMAKE_FLAGS),
        "build_seconds": seconds,
    }
    (out / "build-info.json").write_text(json.dumps(info, indent=2) + "\n")
    if final.exists():  # a stale, incomplete directory from a foreign hand
        shutil.rmtree(final)
    out.rename(final)
    shutil.rmtree(work, ignore_errors=True)
    _log(f"llama-server ready in {final} ({seconds} s)")


def _download_sdist(dest: Path) -> Path:
    name = f"llama_cpp_python-{LLAMA_CPP_PYTHON_VERSION}.tar.gz"
    sdist = dest / name
    if sdist.is_file() and tarfile.is_tarfile(sdist):
        return sdist
    dest.mkdir(parents=True, exist_ok=True)
    _log(f"pip download llama-cpp-python=={LLAMA_CPP_PYTHON_VERSION} (sdist, ~77 MB) ...")
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--no-binary",
        ":all:",
        f"llama-cpp-python=={LLAMA_CPP_PYTHON_VERSION}",
        "-d",
        str(dest),
    ]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0 or not sdist.is_file():
        raise RuntimeError(
            f"pip download of llama-cpp-python {LLAMA_CPP_PYTHON_VERSION} failed:\n"
            f"{(result.stdout + result.stderr)[-3000:]}"
        )
    return sdist


def _extract_llama_cpp(sdist: Path, dest: Path) -> Path:
    """Extracts only ``*/vendor/llama.cpp/*``; returns that llama.cpp directory."""
    marker = dest / ".complete"
    if not marker.is_file():
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True)
        _log(f"extracting vendor/llama.cpp from {sdist.name} ...")
        with tarfile.open(sdist) as tar:
            members = [m for m in tar.getmembers() if "/vendor/llama.cpp/" in m.name]
            if not members:
                raise RuntimeError(f"{sdist.name} has no vendor/llama.cpp")
            if hasattr(tarfile, "data_filter"):
                tar.extractall(dest, members=members, filter="data")
            else:  # Python < 3.11.4
                tar.extractall(dest, members=members)
        marker.touch()
    found = sorted(dest.glob("*/vendor/llama.cpp"))
    if not found:
        raise RuntimeError(f"no vendor/llama.cpp under {dest}")
    return found[0]


def _run(command: Sequence[str], log: Any, log_path: Path, *, progress: bool = False) -> None:
    log.write(f"$ {' '.join(command)}\n")
    log.flush()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    last_percent = ""
    for line in proc.stdout:
        log.write(line)
        if progress and line.startswith("[") and "]" in line:
            percent = line[: line.index("]") + 1]
            if percent != last_percent and percent.strip("[ ]%").isdigit():
                last_percent = percent
                _log(f"{percent} {line[len(percent) :].strip()[:100]}")
    if proc.wait() != 0:
        log.flush()
        tail = "".join(log_path.read_text(errors="replace").splitlines(True)[-40:])
        raise RuntimeError(f"{command[0]} failed ({proc.returncode}); log {log_path}:\n{tail}")


def _server_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("LD_LIBRARY_PATH", None)  # the binary finds its libraries through $ORIGIN
    return env


# --- the tiny model --------------------------------------------------------------------------


# GGUF value types -> struct codes (8 = string and 9 = array are read apart)
_SCALARS = {
    0: "B",
    1: "b",
    2: "H",
    3: "h",
    4: "I",
    5: "i",
    6: "f",
    7: "?",
    10: "Q",
    11: "q",
    12: "d",
}


def gguf_metadata(path: Path) -> dict[str, Any]:
    """A GGUF file's key/value metadata (``general.*``, ``glm4.*``, ``tokenizer.*``) as Python
    values; arrays become lists. A few milliseconds, where ``gguf.GGUFReader`` takes seconds
    on a 50,000-token vocabulary. Little-endian GGUF v2/v3 only; tensors are not read."""
    with open(path, "rb") as handle:
        head = handle.read(24)
        if head[:4] != b"GGUF":
            raise ValueError(f"{path} is not a GGUF file")
        version, _n_tensors, n_kv = struct.unpack_from("<IQQ", head, 4)
        if version < 2:
            raise ValueError(f"{path}: GGUF version {version} is not supported")
        data = head + handle.read()
    offset = 24

    def take_array(code: str, count: int) -> list[Any]:
        nonlocal offset
        values = struct.unpack_from(f"<{count}{code}", data, offset)
        offset += struct.calcsize(f"<{count}{code}")
        return list(values)

    def take(code: str) -> Any:
        return take_array(code, 1)[0]

    def string() -> str:
        nonlocal offset
        length = take("Q")
        offset += length
        return data[offset - length : offset].decode("utf-8", errors="replace")

    def value(kind: int) -> Any:
        if kind == 8:
            return string()
        if kind == 9:
            item_kind, count = take("I"), take("Q")
            if item_kind == 8:
                return [string() for _ in range(count)]
            if item_kind == 9:
                return [value(9) for _ in range(count)]
            return take_array(_SCALARS[item_kind], count)
        return take(_SCALARS[kind])

    metadata: dict[str, Any] = {}
    for _ in range(n_kv):
        key = string()
        metadata[key] = value(take("I"))
    return metadata


@functools.lru_cache(maxsize=1)
def _gpt2_vocab(path: Path) -> tuple[list[str], list[int], list[str]]:
    meta = gguf_metadata(path)
    tokens = meta["tokenizer.ggml.tokens"]
    if len(tokens) != 50257 or tokens[ENDOFTEXT_ID] != "<|endoftext|>":
        raise RuntimeError(f"{path.name} is not the GPT-2 vocabulary this module expects")
    return tokens, meta["tokenizer.ggml.token_type"], meta["tokenizer.ggml.merges"]


def write_tiny_glm4(path: Path, *, context_length: int = 2048, old_metadata: bool = False) -> Path:
    """Writes a tiny random-weight GGUF of architecture ``glm4`` to ``path`` and returns it.

    Hyperparameters (``glm4.*``): context_length ``context_length``, embedding_length 64,
    block_count 2, feed_forward_length 128, attention.head_count 4, attention.head_count_kv 2
    (head_dim 16), attention.layer_norm_rms_epsilon 1e-5, rope.dimension_count 8 (half the
    head, like GLM-4's partial rotary factor 0.5), rope.freq_base 10000. ``general.name``
    "GLM Desk tiny glm4", ``general.file_type`` 1 (MOSTLY_F16: matrices F16, norms F32).

    Tokenizer: ``tokenizer.ggml.model`` "gpt2", ``pre`` "gpt-2", the GPT-2 vocab GGUF's tokens,
    token types and merges, plus GLM-4's special tokens appended as control tokens (n_vocab
    50266; tiny id = real GLM-4-0414 id - 101073)::

        50256 <|endoftext|>  50257 [MASK]    50258 [gMASK]     50259 [sMASK]   50260 <sop>
        50261 <eop>          50262 <|system|> 50263 <|user|>   50264 <|assistant|>
        50265 <|observation|>

    ``tokenizer.chat_template`` is ``TINY_CHAT_TEMPLATE`` (GLM-4-like) and
    ``tokenizer.ggml.add_bos_token`` is false (the template starts with ``[gMASK]<sop>``).

    The two variants differ in exactly one key:

    ======================================  =====================  ===========================
    key                                     default (current)      ``old_metadata=True``
    ======================================  =====================  ===========================
    ``tokenizer.ggml.bos_token_id``         50256 <|endoftext|>    50256 <|endoftext|>
    ``tokenizer.ggml.eos_token_id``         50256 <|endoftext|>    50256 <|endoftext|>
    ``tokenizer.ggml.unknown_token_id``     50256 <|endoftext|>    50256 <|endoftext|>
    ``tokenizer.ggml.eot_token_id``         50263 <|user|>         (absent)
    ======================================  =====================  ===========================

    The default matches today's ``convert_hf_to_gguf.py`` for GLM-4-0414 (eos
    ``<|endoftext|>`` 151329, eot ``<|user|>`` 151336, bos and unk ``<|endoftext|>``); the old
    variant is a file converted before the April 2025 fix, which had no eot, so llama.cpp
    guesses eot = ``<|endoftext|>`` by its text and does not stop at ``<|user|>`` (endless
    turns). Detect it as: architecture ``glm4``, eos set, eot missing. (The old files' rope
    problem is not modelled: both variants have the same rope keys.)

    Tensors (numpy shapes, rows first; random normal, std 0.02, seed 0; norms 1.0): token_embd
    [50266, 64], output_norm [64], and per block attn_norm [64], attn_q [64, 64], attn_k and
    attn_v [32, 64], attn_output [64, 64], post_attention_norm [64], ffn_norm [64], ffn_up
    [256, 64] (gate and up fused), ffn_down [64, 128], post_ffw_norm [64]. No output.weight:
    llama.cpp's glm4 loader ties the output to token_embd when it is absent.
    """
    import gguf
    import numpy as np

    tokens, types, merges = _gpt2_vocab(vocab_gguf())
    tokens = tokens + list(GLM4_EXTRA_SPECIAL_TOKENS)
    types = types + [int(gguf.TokenType.CONTROL)] * len(GLM4_EXTRA_SPECIAL_TOKENS)
    assert len(tokens) == TINY_N_VOCAB and tokens[USER_ID] == "<|user|>"

    n_embd = TINY_HPARAMS["embedding_length"]
    n_layer = TINY_HPARAMS["block_count"]
    n_ff = TINY_HPARAMS["feed_forward_length"]
    n_head = TINY_HPARAMS["head_count"]
    n_head_kv = TINY_HPARAMS["head_count_kv"]
    head_dim = n_embd // n_head

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = gguf.GGUFWriter(path, "glm4")
    writer.add_name("GLM Desk tiny glm4")
    writer.add_file_type(int(gguf.LlamaFileType.MOSTLY_F16))
    writer.add_context_length(context_length)
    writer.add_embedding_length(n_embd)
    writer.add_block_count(n_layer)
    writer.add_feed_forward_length(n_ff)
    writer.add_head_count(n_head)
    writer.add_head_count_kv(n_head_kv)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_rope_dimension_count(head_dim // 2)
    writer.add_rope_freq_base(10000.0)

    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("gpt-2")
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_merges(merges)
    writer.add_bos_token_id(ENDOFTEXT_ID)
    writer.add_eos_token_id(ENDOFTEXT_ID)
    writer.add_unk_token_id(ENDOFTEXT_ID)
    if not old_metadata:
        writer.add_eot_token_id(USER_ID)
    writer.add_add_bos_token(False)
    writer.add_chat_template(TINY_CHAT_TEMPLATE)

    rng = np.random.default_rng(0)

    def matrix(rows: int, cols: int) -> Any:
        return (rng.standard_normal((rows, cols), dtype=np.float32) * 0.02).astype(np.float16)

    def norm() -> Any:
        return np.ones(n_embd, dtype=np.float32)

    writer.add_tensor("token_embd.weight", matrix(TINY_N_VOCAB, n_embd))
    writer.add_tensor("output_norm.weight", norm())
    for i in range(n_layer):
        block = f"blk.{i}"
        writer.add_tensor(f"{block}.attn_norm.weight", norm())
        writer.add_tensor(f"{block}.attn_q.weight", matrix(n_head * head_dim, n_embd))
        writer.add_tensor(f"{block}.attn_k.weight", matrix(n_head_kv * head_dim, n_embd))
        writer.add_tensor(f"{block}.attn_v.weight", matrix(n_head_kv * head_dim, n_embd))
        writer.add_tensor(f"{block}.attn_output.weight", matrix(n_embd, n_head * head_dim))
        writer.add_tensor(f"{block}.post_attention_norm.weight", norm())
        writer.add_tensor(f"{block}.ffn_norm.weight", norm())
        writer.add_tensor(f"{block}.ffn_up.weight", matrix(2 * n_ff, n_embd))
        writer.add_tensor(f"{block}.ffn_down.weight", matrix(n_embd, n_ff))
        writer.add_tensor(f"{block}.post_ffw_norm.weight", norm())

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


# --- a bare server -----------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_llama_server(
    model: Path,
    *,
    port: int = 0,
    ctx: int = 512,
    extra: Sequence[str] = (),
    timeout: float = 60.0,
    log_path: Path | None = None,
) -> tuple[subprocess.Popen[bytes], str]:
    """Starts ``llama-server -m model -c ctx --host 127.0.0.1 --port port *extra`` and waits
    until ``GET /health`` answers 200. Returns the process and ``http://127.0.0.1:PORT``.

    ``port=0`` picks a free port (retried if another process takes it first). The server's
    output goes to ``log_path`` (default: a temporary file); on failure the process is killed
    and the error quotes the end of that log. The caller stops the server
    (``stop_llama_server``).
    """
    binary = llama_server_binary()
    if log_path is None:
        fd, name = tempfile.mkstemp(prefix="llama-server-", suffix=".log")
        os.close(fd)
        log_path = Path(name)
    attempts = 3 if port == 0 else 1
    for attempt in range(attempts):
        chosen = port or free_port()
        command = [
            str(binary),
            "-m",
            str(model),
            "-c",
            str(ctx),
            "--host",
            "127.0.0.1",
            "--port",
            str(chosen),
            *extra,
        ]
        with open(log_path, "ab") as log:
            proc = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=_server_env(),
            )
        base_url = f"http://127.0.0.1:{chosen}"
        try:
            wait_until_healthy(proc, base_url, timeout=timeout)
        except RuntimeError as error:
            stop_llama_server(proc)
            text = log_path.read_text(errors="replace")
            if "couldn't bind" in text and attempt + 1 < attempts:
                continue
            tail = "".join(text.splitlines(True)[-30:])
            raise RuntimeError(f"{error}\n$ {' '.join(command)}\n{tail}") from None
        return proc, base_url
    raise AssertionError("unreachable")


def wait_until_healthy(proc: subprocess.Popen[bytes], base_url: str, *, timeout: float) -> float:
    """Polls ``GET /health`` until 200; returns the seconds waited. Raises ``RuntimeError`` if
    the process exits or ``timeout`` passes."""
    import httpx

    started = time.monotonic()
    with httpx.Client(timeout=2.0, trust_env=False) as client:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"llama-server exited with {proc.returncode} before ready")
            with contextlib.suppress(httpx.TransportError):
                if client.get(f"{base_url}/health").status_code == 200:
                    return time.monotonic() - started
            if time.monotonic() - started > timeout:
                raise RuntimeError(f"llama-server not healthy after {timeout:.0f} s")
            time.sleep(0.05)


def stop_llama_server(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """SIGTERM, then SIGKILL after ``timeout`` seconds."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- command line ------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Builds the cached llama-server, writes a tiny glm4 GGUF, or serves one."""
    parser = argparse.ArgumentParser(prog="python -m tests.llama", description=main.__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("build", help="build or find llama-server; print its path")
    model = sub.add_parser("model", help="write a tiny glm4 GGUF")
    model.add_argument("out", type=Path)
    model.add_argument("--old", action="store_true", help="pre-April-2025 metadata (no eot)")
    model.add_argument("--ctx", type=int, default=2048, help="glm4.context_length")
    serve = sub.add_parser("serve", help="serve a tiny glm4 model until Ctrl+C")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--ctx", type=int, default=2048)
    serve.add_argument("--old", action="store_true")
    args = parser.parse_args(argv)

    if args.command == "build":
        print(llama_server_binary())
    elif args.command == "model":
        print(write_tiny_glm4(args.out, context_length=args.ctx, old_metadata=args.old))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            gguf_path = write_tiny_glm4(Path(tmp) / "tiny-glm4.gguf", old_metadata=args.old)
            proc, url = start_llama_server(gguf_path, port=args.port, ctx=args.ctx)
            print(f"serving {gguf_path.name} at {url}/v1 (Ctrl+C stops)", flush=True)
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop the server too
            try:
                proc.wait()
            except KeyboardInterrupt:
                pass
            finally:
                stop_llama_server(proc)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


def write_small_gguf(
    path: Path,
    *,
    name: str = "tiny",
    context: int = 32768,
    file_type: int = 0,
    eot: int | None = 151336,
    rows: int = 3,
    cols: int = 4,
) -> Path:
    """A small glm4 GGUF for metadata tests (not loadable by llama-server): GLM-4's eos id,
    its eot id unless `eot` is None (a pre-April-2025 file), a chat template, one tensor."""
    import gguf
    import numpy as np

    writer = gguf.GGUFWriter(str(path), "glm4")
    writer.add_name(name)
    writer.add_context_length(context)
    writer.add_file_type(file_type)
    writer.add_eos_token_id(151329)
    if eot is not None:
        writer.add_eot_token_id(eot)
    writer.add_chat_template("[gMASK]<sop>{% for m in messages %}{{ m.content }}{% endfor %}")
    writer.add_token_list(["a", "b", "<|user|>"])
    writer.add_tensor("token_embd.weight", np.zeros((rows, cols), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
