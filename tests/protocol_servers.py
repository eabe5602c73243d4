"""Local HTTP servers that speak the backends' documented streaming wire formats.

Each `ProtocolServer` runs a tiny HTTP/1.1 server on 127.0.0.1 in its own thread (so it
serves tests on any event loop, and GUI demos), answering `POST .../chat/completions` the
way each real service is documented to, quirks included:

- openrouter: `: OPENROUTER PROCESSING` keep-alive comments, `object`/`provider` fields,
  usage with `cost` in the last chunk, tool calls in fragments, errors after the first token
  as a chunk with a top-level `error` and `finish_reason:"error"`.
- zai: chunks without `object`, `role` repeated in every delta, `finish_reason` and `usage`
  in the last content chunk, whole tool calls, string error codes.
- llama: first delta `{"role":"assistant","content":null}`, finish chunk with `timings`,
  usage in a separate empty-choices chunk only when asked, 503 "Loading model" while loading,
  a late error closes the stream without `[DONE]`.

Faults, per `Reply`: the connection dropped (`drop_after`), silence with the connection open
(`stall_after`), raw bytes anywhere in the stream (`raw_after`, `raw_at`), the flavor's own
mid-stream error (`error_after`), a close without `[DONE]` (`done=False`).

Run `python -m tests.protocol_servers --flavor openrouter --port 8765` for a demo server.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Reply:
    """What the server does for one request."""

    text: str | None = None  # None: echo the last user message
    chunks: list[str] | None = None  # explicit pieces (else words of `text`)
    delay: float = 0.0  # seconds between chunks
    status: int = 200
    body: Any = None  # error body for status >= 400
    headers: dict[str, str] = field(default_factory=dict)
    finish_reason: str = "stop"
    error_after: int | None = None  # send the flavor's mid-stream error after N chunks
    error: dict[str, Any] | None = None
    drop_after: int | None = None  # close the connection after N chunks
    stall_after: int | None = None  # after N chunks, send nothing more for `stall` seconds
    stall: float = 30.0  # (or until the client hangs up), then go on
    raw_after: bytes | None = None  # raw bytes written after the chunks (garbage tests)
    raw_at: int | None = None  # write `raw_after` before chunk N instead, then go on
    tool_calls: list[dict[str, Any]] | None = None  # [{"id","name","arguments"}]
    split_bytes: int | None = None  # write the SSE bytes in pieces of this many bytes
    done: bool = True
    # Web search: Z.AI's top-level `web_search` results, sent with content chunk N;
    # OpenRouter's `url_citation` annotations, in the last chunk's delta or its `message`.
    web_search: list[dict[str, Any]] | None = None
    web_search_at: int = 0
    annotations: list[dict[str, Any]] | None = None
    annotations_in: str = "delta"  # or "message"


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


def words(text: str) -> list[str]:
    return re.findall(r"\s*\S+|\s+", text) or [""]


class ProtocolServer:
    def __init__(self, flavor: str = "openrouter", default: Reply | None = None) -> None:
        assert flavor in ("openrouter", "zai", "llama", "openai")
        self.flavor = flavor
        self.default = default or Reply()
        self.script: list[Reply] = []
        self.requests: list[Recorded] = []
        self._carried: dict[int, bytes] = {}  # per connection: a byte read ahead
        self.loading_requests = 0  # llama: answer this many requests with 503 first
        self.n_ctx = 8192  # llama: the context size /props and /v1/models report
        self.disconnects = 0  # client closed while we were still streaming
        self.completed = 0  # streams written to the end
        self.sent_log: list[tuple[float, bytes]] = []  # (monotonic time, bytes) per write
        self.reply_for: Callable[[Recorded], Reply | None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._lock = threading.Lock()
        self.port = 0

    # --- lifecycle ---------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        prefix = "/api/paas/v4" if self.flavor == "zai" else "/v1"
        return f"http://127.0.0.1:{self.port}{prefix}"

    def start(self, port: int = 0) -> ProtocolServer:
        self._thread = threading.Thread(target=self._run, args=(port,), daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("protocol server did not start")
        return self

    def stop(self) -> None:
        if self._loop and self._server:
            self._loop.call_soon_threadsafe(self._server.close)
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread:
            self._thread.join(5)

    def __enter__(self) -> ProtocolServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def push(self, *replies: Reply) -> None:
        with self._lock:
            self.script.extend(replies)

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if predicate():
                return True
            time.sleep(0.01)
        return predicate()

    def _run(self, port: int) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)

        async def start() -> None:
            self._server = await asyncio.start_server(self._handle, "127.0.0.1", port)
            self.port = self._server.sockets[0].getsockname()[1]

        self._loop.run_until_complete(start())
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            self._loop.close()

    # --- HTTP --------------------------------------------------------------------------

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                # A byte the hang-up watch of a streamed reply read from the next request.
                carried = self._carried.pop(id(reader), b"")
                head = carried + await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        k, v = line.split(":", 1)
                        headers[k.strip().lower()] = v.strip()
                size = int(headers.get("content-length", "0"))
                raw = await reader.readexactly(size) if size else b""
                try:
                    body = json.loads(raw) if raw else None
                except json.JSONDecodeError:
                    body = raw.decode("utf-8", "replace")
                req = Recorded(method, path, headers, body)
                self.requests.append(req)
                keep = await self._respond(req, reader, writer)
                if not keep:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def _send(
        self,
        writer: asyncio.StreamWriter,
        status: int,
        payload: Any,
        headers: dict[str, str] | None = None,
    ) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        head = [f"HTTP/1.1 {status} X", "Content-Type: application/json"]
        head += [f"{k}: {v}" for k, v in (headers or {}).items()]
        head.append(f"Content-Length: {len(data)}")
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + data)
        await writer.drain()

    async def _respond(
        self, req: Recorded, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        if req.path.endswith("/health"):
            if self.loading_requests > 0:
                await self._send(writer, 503, self._loading_body())
            else:
                await self._send(writer, 200, {"status": "ok"})
            return True
        if req.path.endswith("/models"):
            await self._send(writer, 200, self._models())
            return True
        if self.flavor == "llama" and req.path.endswith("/props") and req.method == "GET":
            await self._send(writer, 200, self._props())
            return True
        if not req.path.endswith("/chat/completions") or req.method != "POST":
            await self._send(writer, 404, {"error": {"message": "Not found", "code": 404}})
            return True
        if self.flavor == "llama" and self.loading_requests > 0:
            self.loading_requests -= 1
            await self._send(writer, 503, self._loading_body())
            return True

        reply = self.reply_for(req) if self.reply_for else None
        if reply is None:
            with self._lock:
                reply = self.script.pop(0) if self.script else self.default
        if reply.status >= 400:
            await self._send(writer, reply.status, reply.body or {}, reply.headers)
            return True
        return await self._stream(req, reply, reader, writer)

    def _models(self) -> dict[str, Any]:
        """GET /v1/models; llama-server's shape (owned_by "llamacpp", meta) for llama."""
        if self.flavor != "llama":
            return {"object": "list", "data": [{"id": "glm-4-32b"}]}
        meta = {"n_ctx_train": self.n_ctx, "n_params": 32_000_000_000, "size": 19_000_000_000}
        model = {"id": "glm-4-32b", "object": "model", "owned_by": "llamacpp", "meta": meta}
        return {"object": "list", "data": [model], "models": [{"name": "glm-4-32b"}]}

    def _props(self) -> dict[str, Any]:
        """llama-server's GET /props, the fields clients read."""
        return {
            "default_generation_settings": {"n_ctx": self.n_ctx, "params": {}},
            "total_slots": 4,
            "model_path": "/models/glm-4-32b.gguf",
            "model_alias": "glm-4-32b",
            "chat_template": "[gMASK]<sop>{% for m in messages %}<|{{ m.role }}|>{% endfor %}",
            "chat_template_caps": {"supports_tools": True, "supports_tool_calls": False},
            "build_info": "b0000-protocol-test",
        }

    @staticmethod
    def _loading_body() -> dict[str, Any]:
        return {"error": {"message": "Loading model", "type": "unavailable_error", "code": 503}}

    async def _stream(
        self,
        req: Recorded,
        reply: Reply,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> bool:
        head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in reply.headers.items())
        head += "Transfer-Encoding: chunked\r\n\r\n"
        writer.write(head.encode())
        closed = asyncio.ensure_future(reader.read(1))  # b"" when the client hangs up
        closed.add_done_callback(lambda f: f.cancelled() or f.exception())  # reset: seen

        async def put(data: bytes) -> None:
            if closed.done():
                raise ConnectionResetError
            pieces = [data]
            if reply.split_bytes:
                n = reply.split_bytes
                pieces = [data[i : i + n] for i in range(0, len(data), n)]
            for piece in pieces:
                writer.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                await writer.drain()
                self.sent_log.append((time.monotonic(), piece))
                if reply.split_bytes:
                    await asyncio.sleep(0.001)  # separate TCP reads on the client

        def event(obj: Any) -> bytes:
            return b"data: " + json.dumps(obj, ensure_ascii=False).encode() + b"\n\n"

        try:
            body = req.body if isinstance(req.body, dict) else {}
            text = reply.text if reply.text is not None else self._echo(body)
            chunks = reply.chunks if reply.chunks is not None else words(text)
            for obj in self._chunks(body, chunks, reply, put_event=event):
                if isinstance(obj, bytes):
                    await put(obj)
                    continue
                if obj == "DELAY":
                    if reply.delay:
                        done, _ = await asyncio.wait({closed}, timeout=reply.delay)
                        if done:
                            raise ConnectionResetError
                    continue
                if obj == "STALL":
                    # Silence, with the connection open, as a hung server or a dead link.
                    done, _ = await asyncio.wait({closed}, timeout=reply.stall)
                    if done:
                        raise ConnectionResetError
                    continue
                if obj == "DROP":
                    writer.transport.abort()
                    return False
                if obj == "END":
                    # A stream that ends without [DONE]: the server closes the connection.
                    await put(b"")
                    self.completed += 1
                    return False
            await put(b"")
            self.completed += 1
            return True
        except ConnectionError:
            self.disconnects += 1
            return False
        finally:
            # Stop watching before the connection's next request is read (two reads at
            # once on one stream are refused), keeping a byte the watch may have read.
            if not closed.done():
                closed.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                first = await closed
                if first:
                    self._carried[id(reader)] = first

    @staticmethod
    def _echo(body: dict[str, Any]) -> str:
        for msg in reversed(body.get("messages") or []):
            if isinstance(msg, dict) and msg.get("role") == "user":
                return f"You said: {msg.get('content', '')}"
        return "Hello from the test server."

    # --- flavors -----------------------------------------------------------------------

    def _chunks(
        self,
        body: dict[str, Any],
        pieces: list[str],
        reply: Reply,
        put_event: Callable[[Any], bytes],
    ) -> Any:
        """Yield bytes to write, "DELAY" between tokens, "STALL", "DROP" or "END"."""
        f = self.flavor
        finish_reason = "tool_calls" if reply.tool_calls else reply.finish_reason
        created = int(time.time())
        model = body.get("model", "glm-4-32b")
        n_prompt = sum(len(str(m.get("content", "")).split()) for m in body.get("messages", []))
        n_out = len(pieces)
        usage: dict[str, Any] = {
            "prompt_tokens": n_prompt,
            "completion_tokens": n_out,
            "total_tokens": n_prompt + n_out,
        }
        want_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        timings = {
            "prompt_n": n_prompt,
            "prompt_ms": 1.5,
            "predicted_n": n_out,
            "predicted_ms": 10.0,
            "predicted_per_second": 1000.0 * n_out / 10.0,
        }

        def chunk(
            delta: dict[str, Any],
            finish: str | None = None,
            choice_extra: dict[str, Any] | None = None,
            **extra: Any,
        ) -> bytes:
            c: dict[str, Any] = {"id": "chatcmpl-1", "created": created, "model": model}
            if f == "openrouter":
                c.update(id="gen-123", object="chat.completion.chunk", provider="Z.AI")
                choice = {
                    "index": 0,
                    "delta": delta,
                    "finish_reason": finish,
                    "native_finish_reason": finish,
                }
            else:
                if f in ("llama", "openai"):
                    c["object"] = "chat.completion.chunk"
                if f == "zai":
                    delta = {"role": "assistant", **delta}
                choice = {"index": 0, "delta": delta, "finish_reason": finish}
            choice.update(choice_extra or {})
            c["choices"] = [choice]
            c.update(extra)
            return put_event(c)

        if f == "openrouter":
            yield b": OPENROUTER PROCESSING\n\n"
        if f == "llama":
            yield chunk({"role": "assistant", "content": None})
        for i, piece in enumerate(pieces):
            if reply.error_after is not None and i == reply.error_after:
                yield from self._mid_error(reply, chunk, put_event)
                return
            if reply.drop_after is not None and i == reply.drop_after:
                yield "DROP"
                return
            if reply.stall_after is not None and i == reply.stall_after:
                yield "STALL"
            if reply.raw_after is not None and reply.raw_at == i:
                yield reply.raw_after
            if i:
                yield "DELAY"
            last = i == len(pieces) - 1 and not reply.tool_calls
            found = {"web_search": reply.web_search} if reply.web_search_at == i else {}
            if reply.web_search is None:
                found = {}
            if f == "zai" and last:
                yield chunk({"content": piece}, finish_reason, usage=usage, **found)
            else:
                yield chunk({"content": piece}, **found)
            if f == "openrouter" and i == 0:
                yield b": OPENROUTER PROCESSING\n\n"
        if reply.raw_after is not None and reply.raw_at is None:
            yield reply.raw_after
        if reply.tool_calls:
            yield from self._tool_calls(reply, chunk, usage)
        if f == "openrouter":
            usage_or = {**usage, "cost": 0.0000123, "prompt_tokens_details": {"cached_tokens": 0}}
            delta: dict[str, Any] = {}
            placed: dict[str, Any] = {}
            if reply.annotations is not None and reply.annotations_in == "delta":
                delta = {"annotations": reply.annotations}
            elif reply.annotations is not None:
                message = {"role": "assistant", "annotations": reply.annotations}
                placed = {"message": message}
            yield chunk(delta, finish_reason, choice_extra=placed, usage=usage_or)
        elif f == "llama":
            yield chunk({}, finish_reason, timings=timings)
            if want_usage:
                yield put_event(
                    {
                        "id": "chatcmpl-1",
                        "object": "chat.completion.chunk",
                        "created": created,
                        "model": model,
                        "choices": [],
                        "usage": usage,
                        "timings": timings,
                    }
                )
        elif f == "openai":
            yield chunk({}, finish_reason)
            if want_usage:
                yield put_event({"id": "chatcmpl-1", "choices": [], "usage": usage})
        if reply.done:
            yield b"data: [DONE]\n\n"
        else:
            yield "END"

    def _mid_error(self, reply: Reply, chunk: Callable[..., bytes], put_event: Any) -> Any:
        f = self.flavor
        if f == "openrouter":
            err = reply.error or {"code": 502, "message": "Provider returned error"}
            yield chunk({"content": ""}, "error", error=err)
            yield "END"
        elif f == "zai":
            err = reply.error or {"code": "500", "message": "Internal error"}
            yield put_event({"error": err})
            yield b"data: [DONE]\n\n"
        else:
            err = reply.error or {"code": 500, "message": "slot failed", "type": "server_error"}
            yield put_event({"error": err})
            yield "END"

    def _tool_calls(self, reply: Reply, chunk: Callable[..., bytes], usage: dict[str, Any]) -> Any:
        calls = reply.tool_calls or []
        if self.flavor == "zai":
            whole = [
                {
                    "id": c["id"],
                    "index": i,
                    "type": "function",
                    "function": {"name": c["name"], "arguments": c["arguments"]},
                }
                for i, c in enumerate(calls)
            ]
            yield chunk({"tool_calls": whole}, "tool_calls", usage=usage)
            return
        for i, c in enumerate(calls):
            yield chunk(
                {
                    "tool_calls": [
                        {
                            "index": i,
                            "id": c["id"],
                            "type": "function",
                            "function": {"name": c["name"], "arguments": ""},
                        }
                    ]
                }
            )
            args = c["arguments"]
            for j in range(0, len(args), 5):
                yield chunk(
                    {"tool_calls": [{"index": i, "function": {"arguments": args[j : j + 5]}}]}
                )


DEMO_ANSWER = """Here is a small **Python** function that reverses the words of a sentence:

```python
def reverse_words(sentence: str) -> str:
    \"\"\"Return the words of `sentence` in reverse order.\"\"\"
    return " ".join(reversed(sentence.split()))


print(reverse_words("GLM Desk streams answers token by token"))
```

It splits on whitespace, reverses the list, and joins it again. 中文也可以：这是一个简单的例子。
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--flavor", default="openrouter", choices=["openrouter", "zai", "llama", "openai"]
    )
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--delay", type=float, default=0.03)
    ap.add_argument("--demo", action="store_true", help="answer with a demo Markdown answer")
    args = ap.parse_args()
    default = Reply(text=DEMO_ANSWER if args.demo else None, delay=args.delay)
    server = ProtocolServer(args.flavor, default).start(args.port)
    print(server.base_url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
