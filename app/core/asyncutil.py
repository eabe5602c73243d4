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


def report_failure(task: asyncio.Future[Any]) -> None:
    """A task's done callback: an exception nobody awaited goes to `sys.excepthook` (the
    app's crash hook logs it and tells the user); cancellation is not a failure."""
    if task.cancelled():
        return
    exc = task.exception()
    if exc is not None:
        sys.excepthook(type(exc), exc, exc.__traceback__)


def spawn(coro: Coroutine[Any, Any, Any], keep: set[asyncio.Future[Any]]) -> asyncio.Future[Any]:
    """Run a coroutine as a task held in `keep` until it ends (the loop keeps only weak
    references: an unheld task may be collected mid-flight); its failure is reported."""
    task = asyncio.ensure_future(coro)
    keep.add(task)
    task.add_done_callback(keep.discard)
    task.add_done_callback(report_failure)
    return task


class Tasks:
    """The tasks one owner (a controller, a dialog) starts from its slots: each is held
    until it ends, its failure is reported (`report_failure`), and `cancel` ends them all
    (when the owner closes)."""

    def __init__(self) -> None:
        self._running: set[asyncio.Future[Any]] = set()

    def start(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Future[Any]:
        return spawn(coro, self._running)

    def cancel(self) -> None:
        for task in list(self._running):
            task.cancel()

    def __len__(self) -> int:
        return len(self._running)
