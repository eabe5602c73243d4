from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtWidgets import QApplication  # PySide6 before qasync

# isort: split
import qasync

from app.core.asyncutil import install_asyncgen_finalizer
from app.core.client import RetryPolicy
from app.core.providers import PROVIDERS, Provider
from app.services.backend import Backend
from app.services.history import HistoryService
from app.services.main_thread_gc import MainThreadGarbageCollector
from app.ui import theme
from app.ui.main_window import MainWindow
from tests.protocol_servers import ProtocolServer


@pytest.fixture(scope="session", autouse=True)
def _english(qapp) -> None:
    """As the app does at start: English, with its plurals ("1 result", "2 results")."""
    from app.ui.i18n import install_translators

    install_translators(qapp, "en")
    qapp.setQuitOnLastWindowClosed(False)  # as the app does: closing a dialog quits nothing


@pytest.fixture(scope="session", autouse=True)
def _gc_on_gui_thread(qapp) -> Iterator[None]:
    """As in the app: Qt objects must never be freed by a collection in a server thread."""
    collector = MainThreadGarbageCollector(qapp)
    yield
    collector.stop()


@pytest.fixture
def restore_theme(qapp) -> Iterator[QApplication]:
    palette, font, style = qapp.palette(), qapp.font(), qapp.style().name()
    yield qapp
    state = theme.notifier()
    state.mode, state.dark, state.font_size, state.fusion = "light", False, 0, False
    qapp.setStyleSheet("")
    qapp.setPalette(palette)
    qapp.setFont(font)
    qapp.setStyle(style)


class _AppLikeLoop(qasync.QEventLoop):
    """In the app the loop runs for as long as Qt does, so a task that a widget starts is
    always stepped inside a running loop. Here the loop stays asyncio's running loop between
    `run_until_complete` calls too: a task stepped by Qt's own event processing (a qtbot wait,
    a widget closing) sees the loop it would see in the app."""

    def run_forever(self) -> None:
        try:
            super().run_forever()
        finally:
            asyncio.events._set_running_loop(self)


@pytest.fixture
def qloop(qapp) -> Iterator[qasync.QEventLoop]:
    loop = _AppLikeLoop(qapp)
    asyncio.set_event_loop(loop)
    asyncio.events._set_running_loop(loop)
    install_asyncgen_finalizer(loop)
    yield loop
    loop.run_until_complete(asyncio.sleep(0.05))  # let finalizers run
    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop(None)
    loop.close()
    gc.collect()  # this test's windows and loop go now, on this (the GUI) thread


async def until(predicate: Callable[[], object], timeout: float = 5.0) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {predicate}")
        await asyncio.sleep(0.01)


def wait_idle(loop: qasync.QEventLoop, session: object, timeout: float = 5.0) -> None:
    """Run the loop until the session's answer has ended."""
    loop.run_until_complete(until(lambda: not session.busy, timeout))


@pytest.fixture
def server() -> Iterator[ProtocolServer]:
    with ProtocolServer("openrouter") as s:
        yield s


@pytest.fixture
def history(qapp, tmp_path) -> Iterator[HistoryService]:
    service = HistoryService(tmp_path / "history.db")
    yield service
    service.flush_and_close()


def providers_at(base_url: str = "") -> list[Provider]:
    """The providers with an address, OpenRouter's pointing at base_url (a test server)."""
    return [
        p.with_overrides(base_url=base_url) if base_url and p.id == "openrouter" else p
        for p in PROVIDERS.values()
        if p.base_url
    ]


def make_window(qtbot, history: HistoryService, base_url: str = "") -> tuple[MainWindow, Backend]:
    """A shown main window whose OpenRouter provider points at base_url (a test server)."""
    providers = providers_at(base_url)
    backend = Backend(
        environ={"OPENROUTER_API_KEY": "test-key"},
        retry=RetryPolicy(attempts=2, base_delay=0.01),
    )
    win = MainWindow(backend, history, providers, initial_provider="openrouter")
    qtbot.addWidget(win, before_close_func=lambda w: shut_down(w, backend))
    win.show()
    qtbot.waitExposed(win)
    return win, backend


def settings_window(qtbot, history, backend, settings, provider: str | None = None) -> MainWindow:
    """A shown main window that follows these settings, offering every provider with an
    address (as the app does when the command line names none)."""
    window = MainWindow(
        backend,
        history,
        [p for p in PROVIDERS.values() if p.base_url],
        initial_provider=provider,
        settings=settings,
    )
    qtbot.addWidget(window, before_close_func=lambda w: shut_down(w, backend))
    window.show()
    return window


def close_window(loop: qasync.QEventLoop, win: MainWindow, backend: Backend) -> None:
    """Quit as the app does: close, let the answers and the local server stop, close the
    HTTP clients. Once per window (pytest-qt's own teardown comes here too, see `shut_down`)."""
    if getattr(win, "shut_down_by_test", False):
        return
    win.shut_down_by_test = True
    win.close()
    loop.run_until_complete(win.wait_stopped())
    loop.run_until_complete(backend.aclose())


def shut_down(win: MainWindow, backend: Backend) -> None:
    """pytest-qt closes and deletes the widgets a test registered before the fixtures are torn
    down: quit the window properly first, or a later `close_window` would find it deleted."""
    loop = asyncio.events._get_running_loop()
    if isinstance(loop, qasync.QEventLoop) and not loop.is_closed():
        close_window(loop, win, backend)


@pytest.fixture
def window(qtbot, qloop, server, history) -> Iterator[MainWindow]:
    win, backend = make_window(qtbot, history, server.base_url)
    yield win
    close_window(qloop, win, backend)
