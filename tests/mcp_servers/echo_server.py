"""A real MCP server for the tests, written with the SDK's own server API (MCPServer).

    python echo_server.py                 # stdio
    python echo_server.py --http PORT [--token T]   # Streamable HTTP at /mcp (401 without T)

Tools: echo, add (structured result), picture (an image), fail (isError), big (a long
result), sleep (a call that hangs; a cancellation is written to $MCP_TEST_MARKS), env (reads
a variable), crash (the process exits mid-call). It prints a line to stderr at start, for
the log. With `--linger` it does not exit when its stdin closes (as some servers do not).
"""

from __future__ import annotations

import asyncio
import base64
import os
import struct
import sys
import time
import zlib
from pathlib import Path

from mcp.server.mcpserver import MCPServer
from mcp.types import ImageContent


def _png(width: int = 24, height: int = 16) -> str:
    """A small red PNG, base64."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xd0\x20\x20" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
    return base64.b64encode(png + chunk(b"IEND", b"")).decode()


PNG = _png()

server = MCPServer("echo-test")


def _mark(text: str) -> None:
    marks = os.environ.get("MCP_TEST_MARKS")
    if marks:
        with Path(marks).open("a") as f:
            f.write(text + "\n")


@server.tool()
def echo(text: str) -> str:
    """Say the text back."""
    return text


@server.tool()
def add(a: int, b: int) -> dict[str, int]:
    """Add two integers."""
    return {"sum": a + b}


@server.tool()
def picture() -> list[ImageContent]:
    """A tiny picture."""
    return [ImageContent(type="image", data=PNG, mime_type="image/png")]


@server.tool()
def fail(reason: str = "it broke") -> str:
    """Always fails."""
    raise ValueError(reason)


@server.tool()
async def sleep(seconds: float) -> str:
    """Wait, then answer."""
    _mark(f"sleep {seconds}")
    try:
        await asyncio.sleep(seconds)
    except asyncio.CancelledError:
        _mark("cancelled")
        raise
    return "slept"


@server.tool()
def env(name: str) -> str:
    """The value of an environment variable (or <unset>)."""
    return os.environ.get(name, "<unset>")


@server.tool()
def big(size: int) -> str:
    """A text of `size` characters, in one line."""
    return ("0123456789" * (size // 10 + 1))[:size]


@server.tool()
def crash() -> str:
    """The server dies."""
    print("crashing now", file=sys.stderr, flush=True)
    os._exit(3)


def main() -> None:
    print(f"echo-test server pid {os.getpid()}", file=sys.stderr, flush=True)
    _mark(f"pid {os.getpid()}")
    if "--http" in sys.argv:
        port = int(sys.argv[sys.argv.index("--http") + 1])
        token = sys.argv[sys.argv.index("--token") + 1] if "--token" in sys.argv else ""
        serve_http(port, token)
    else:
        try:
            server.run("stdio")
        finally:
            if "--linger" in sys.argv:  # as some servers do: still running once stdin closed
                time.sleep(600)


def serve_http(port: int, token: str) -> None:
    import uvicorn

    app = server.streamable_http_app()

    async def guarded(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] == "http" and token:
            headers = dict(scope.get("headers") or [])
            if headers.get(b"authorization", b"").decode() != f"Bearer {token}":
                await send({"type": "http.response.start", "status": 401, "headers": []})
                await send({"type": "http.response.body", "body": b"unauthorized"})
                return
        await app(scope, receive, send)

    uvicorn.run(guarded, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
