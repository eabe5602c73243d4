"""asyncio helpers that the Qt loop (qasync) does not provide itself."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncGenerator, Coroutine
from typing import Any


def install_asyncgen_finalizer(loop: asyncio.AbstractEventLoop) -> None:
    """Close abandoned async generators on the loop, as asyncio's own loops do.

    qasync's loop does not set `sys.set_asyncgen_hooks`, so an async generator dropped
    mid-iteration (httpx's byte streams after a cancelled or finished request) would be
    closed synchronously by the garbage collector, where its cleanup cannot await
    ("async generator ignored GeneratorExit"). Schedule `aclose()` on the loop instead.
    """

    def finalizer(agen: AsyncGenerator[Any, Any]) -> None:
        if not loop.is_closed():
            loop.call_soon_threadsafe(lambda: loop.create_task(agen.aclose()))

    sys.set_asyncgen_hooks(finalizer=finalizer)


def spawn(coro: Coroutine[Any, Any, Any], keep: set[asyncio.Future[Any]]) -> asyncio.Future[Any]:
    """Run a coroutine as a task held in `keep` until it ends (the loop keeps only weak
    references: an unheld task may be collected mid-flight)."""
    task = asyncio.ensure_future(coro)
    keep.add(task)
    task.add_done_callback(keep.discard)
    return task
