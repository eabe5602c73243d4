"""Entry point: argument parsing, QApplication, the qasync loop and the crash hook."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from app import APP_ID, APP_NAME, __version__
from app.core.providers import PROVIDERS, Provider
from app.core.redact import redact

if TYPE_CHECKING:
    from app.core.profile import ProfileInUse
    from app.core.settings import Settings
    from app.services.backend import Backend
    from app.ui.main_window import MainWindow

_IMPORTED_AT = time.monotonic()
log = logging.getLogger("app")


def process_age_ms() -> float:
    """Milliseconds since this process started (Linux: from /proc; else since import)."""
    try:
        with open("/proc/self/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        start_ticks = int(fields[19])  # field 22 of the whole line: starttime
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
        return max(0.0, (uptime - start_ticks / os.sysconf("SC_CLK_TCK")) * 1000)
    except (OSError, ValueError, IndexError):
        return (time.monotonic() - _IMPORTED_AT) * 1000


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        prog="glm-desk",
        description=f"{APP_NAME}: a desktop chat and coding assistant for GLM-4-32B.",
        epilog="API keys for this session may come from ZAI_API_KEY, OPENROUTER_API_KEY or "
        "GLM_DESK_API_KEY; they are never written anywhere.",
    )
    ap.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    ap.add_argument(
        "--profile",
        metavar="DIR",
        help="keep all state (settings, history, logs) under DIR (env: GLM_DESK_PROFILE)",
    )
    ap.add_argument(
        "--provider",
        choices=list(PROVIDERS),
        help="start connected to this provider (for this session only)",
    )
    ap.add_argument("--base-url", metavar="URL", help="override the provider's base URL")
    ap.add_argument("--model", metavar="ID", help="override the provider's model id")
    ap.add_argument(
        "--workspace",
        metavar="DIR",
        help="the folder GLM-4's tools may read and edit, for the first new conversation",
    )
    ap.add_argument(
        "--mcp-config",
        metavar="FILE",
        action="append",
        default=[],
        help="add the MCP servers of FILE (the mcpServers format) for this run only; repeatable",
    )
    ap.add_argument(
        "--smoke",
        action="store_true",
        help="open the main window, wait until it is painted and ready (keys read, last "
        "session back), print the start-up times and exit 0",
    )
    ap.add_argument(
        "--debug",
        action="store_true",
        help="write debug-level detail to the log in the profile (never API keys)",
    )
    ap.add_argument(
        "--no-crash-dialog",
        action="store_true",
        help="log unexpected errors without showing a dialog (for CI)",
    )
    args, qt_args = ap.parse_known_args(argv)
    if args.base_url and not args.provider:
        args.provider = "custom"
    if args.provider == "custom" and not args.base_url:
        ap.error("--provider custom needs --base-url URL")
    args.qt_args = qt_args
    return args


def session_providers(args: argparse.Namespace) -> list[Provider]:
    """The registry, with the command line's overrides applied to the chosen provider."""
    providers = []
    for p in PROVIDERS.values():
        if p.id == args.provider:
            p = p.with_overrides(base_url=args.base_url, model=args.model)
        if p.base_url:
            providers.append(p)
    return providers


class CrashHook:
    """sys.excepthook and the asyncio handler: log, then tell the user (unless disabled)."""

    def __init__(self, log_file: Path, dialog: bool) -> None:
        self.log_file = log_file
        self.dialog = dialog
        self._showing = False

    def __call__(
        self,
        exc_type: type[BaseException],
        exc: BaseException,
        tb: TracebackType | None,
    ) -> None:
        text = redact("".join(traceback.format_exception(exc_type, exc, tb)))
        log.critical("unexpected error:\n%s", text)
        print(text, file=sys.stderr)
        if not self.dialog or self._showing:
            return
        from PySide6.QtWidgets import QApplication, QMessageBox

        if QApplication.instance() is None:
            return
        self._showing = True
        try:
            box = QMessageBox(
                QMessageBox.Icon.Critical,
                f"{APP_NAME}: unexpected error",
                f"Something went wrong: {exc_type.__name__}: {redact(str(exc))}\n\n"
                "Your conversations are kept. Details are in the log:\n"
                f"{self.log_file}",
            )
            box.setDetailedText(text)
            box.exec()
        finally:
            self._showing = False

    def asyncio_handler(self, loop: asyncio.AbstractEventLoop, context: dict) -> None:
        exc = context.get("exception")
        if isinstance(exc, BaseException) and not isinstance(exc, asyncio.CancelledError):
            self(type(exc), exc, exc.__traceback__)
        else:
            log.error("asyncio: %s", context.get("message"))


async def run_app(
    args: argparse.Namespace, profile: Path, log_file: Path, settings: Settings
) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.core.asyncutil import install_asyncgen_finalizer
    from app.core.secrets import open_secret_store
    from app.core.store import HISTORY_FILE
    from app.services.backend import Backend
    from app.services.history import HistoryService
    from app.services.main_thread_gc import MainThreadGarbageCollector
    from app.services.settings import SettingsService
    from app.ui.first_frame import FirstFrame
    from app.ui.main_window import MainWindow
    from app.ui.rich_text import warm_up_rendering

    loop = asyncio.get_running_loop()
    hook: CrashHook = sys.excepthook  # type: ignore[assignment]
    loop.set_exception_handler(hook.asyncio_handler)
    install_asyncgen_finalizer(loop)
    collector = MainThreadGarbageCollector(QApplication.instance())
    collector.freeze()  # the modules and classes imported so far live as long as the app

    backend = Backend(secrets=open_secret_store())
    backend.pool.configure(
        proxy=settings.get("network.proxy"), read_timeout=settings.get("network.timeout")
    )
    settings_service = SettingsService(settings, QApplication.instance())
    history = HistoryService(profile / HISTORY_FILE)
    window = MainWindow(
        backend,
        history,
        session_providers(args),
        initial_provider=args.provider,
        settings=settings_service,
        workspace=str(Path(args.workspace).expanduser().resolve()) if args.workspace else "",
    )
    for path in args.mcp_config:
        _add_mcp_config(window, path)
    window.settings_controller.restore_window_state()
    window.settings_controller.keys_ready = False  # until the keys are read (a send waits)
    closed = asyncio.Event()
    window.closed.connect(closed.set)

    # Ctrl+C in a terminal, a logout or `kill` close the window cleanly (history saved, the
    # local server stopped). Python runs a signal handler only when it runs bytecode, and Qt's
    # loop sleeps in C: the signal's byte on a socket wakes the loop (no polling timer, so an
    # idle window does not wake up four times a second).
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda *_: window.close())
    wakeup = SignalWakeup()

    first_frame = FirstFrame(window, process_age_ms)
    window.show()
    try:
        settings_service.announce()
        await window.history_controller.restore_session()

        async def keys_then_welcome() -> float:
            for _ in range(3):  # after the first paint: the import would compete for the GIL
                await _zero_timer()
            await load_keys(backend)
            window.settings_controller.keys_loaded()
            # Ready: painted, the last session's tabs back, the keys read (a send goes now).
            ready = process_age_ms()
            log.info("first frame %.0f ms, ready %.0f ms", first_frame.at_ms or -1, ready)
            # A named provider (scripts, benchmarks) opens straight into the window.
            window.settings_controller.maybe_welcome(skip=bool(args.provider) or args.smoke)
            # MCP, once ready: end servers a killed run left, then start those marked
            # "start with the app" (nothing of the SDK is loaded unless one is).
            await window.mcp.settle()
            window.tasks.start(window.mcp.start_marked())
            # The snippet runner: end runs a killed app left, find which sandbox works.
            window.tasks.start(window.runs.end_orphans())
            window.tasks.start(window.runs.probes())
            return ready

        # Lexers, the Markdown parser and the TLS context load on a worker thread, not in
        # the first answer, once start-up is over (the thread would compete for the GIL).
        # Not a daemon: the interpreter's end waits for it, since an import cut off by it
        # crashes the process (SIGSEGV on a quit in the first seconds, seen in the tests).
        warm = threading.Thread(target=_warm_up, name="warm-up")
        QTimer.singleShot(1000, lambda: closed.is_set() or warm.start())
        QTimer.singleShot(1500, lambda: closed.is_set() or warm_up_rendering())
        if args.smoke:
            # Let show/expose/paint events and deferred work settle in the loop itself: a
            # processEvents() here, inside this task, would run other tasks' steps inside it
            # ("Cannot enter into task ... while another task is being executed": the smoke
            # then hung, when a sidebar refresh or a session restore was ready just then).
            for _ in range(3):
                await asyncio.sleep(0)
                await _zero_timer()
            visible = window.isVisible() and first_frame.at_ms is not None
            ready = await keys_then_welcome()
            print(
                f"glm-desk smoke: first frame {first_frame.at_ms or -1:.0f} ms, "
                f"ready {ready:.0f} ms, window visible: {visible}"
            )
            window.close()
            return 0 if visible else 1
        # The stored keys are read on a worker thread once the window is up and painted:
        # importing keyring and asking it over D-Bus takes ~100 ms, the keyring may be
        # slower, and a message sent meanwhile waits for them.
        keys = asyncio.ensure_future(keys_then_welcome())  # held here until the end
        await closed.wait()
        keys.cancel()
        return 0
    finally:
        await window.wait_stopped()
        await backend.aclose()
        await settings_service.flush()
        settings_service.close()
        if not history.flush_and_close():
            log.error("history: some writes could not be saved before quitting")
        collector.stop()
        wakeup.close()


def _add_mcp_config(window: MainWindow, path: str) -> None:
    """--mcp-config FILE: its servers for this run; a file that cannot be used is said on
    stderr and in the status bar, and the app starts without it."""
    from app.services.mcp import ConfigError

    try:
        parsed = window.mcp.add_file(path)
    except (OSError, ConfigError) as exc:
        said = f"--mcp-config {path}: {exc}"
        print(f"glm-desk: {said}", file=sys.stderr)
        window.statusBar().showMessage(said, 15_000)
        return
    for skipped in parsed.skipped:
        print(f"glm-desk: --mcp-config {path}: skipped {skipped}", file=sys.stderr)


class SignalWakeup:
    """A socket pair: Python writes a byte to one end on each signal (`set_wakeup_fd`); a
    notifier on the other end wakes Qt's loop, so the signal's handler runs at once."""

    def __init__(self) -> None:
        import socket

        from PySide6.QtCore import QSocketNotifier

        self._reader, self._writer = socket.socketpair()
        for sock in (self._reader, self._writer):
            sock.setblocking(False)
        self._previous = signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read)
        self._notifier.activated.connect(self._drain)

    def _drain(self) -> None:
        try:
            self._reader.recv(512)
        except OSError:
            pass

    def close(self) -> None:
        self._notifier.setEnabled(False)
        signal.set_wakeup_fd(self._previous)
        self._reader.close()
        self._writer.close()


async def load_keys(backend: Backend) -> None:
    """Probe the keyring and read the stored keys, off the GUI thread; a failure leaves the
    store in memory mode (it says why), never stops the app."""
    from app.core.providers import PROVIDERS

    try:
        await backend.secrets.aprobe()
        await backend.load_keys({p.secret_id for p in PROVIDERS.values()})
    except Exception:
        log.exception("keyring: could not read the stored keys")


def _warm_up() -> None:
    """On the warm-up thread: its imports (httpx, Pygments, markdown-it) included."""
    from app.core.warmup import warm_up

    warm_up()


async def _zero_timer() -> None:
    """Resolve once the Qt event queue has been drained (a zero timer fires when idle)."""
    from PySide6.QtCore import QTimer

    future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    QTimer.singleShot(0, lambda: future.done() or future.set_result(None))
    await future


def profile_in_use(args: argparse.Namespace, exc: ProfileInUse) -> int:
    """Another GLM Desk has this profile: say so, on stderr and in a dialog when there is a
    screen (not with --no-crash-dialog or offscreen), and end with EXIT_PROFILE_IN_USE
    without writing anything to the profile."""
    from app.core.profile import EXIT_PROFILE_IN_USE

    os.environ["QT_API"] = "pyside6"
    from PySide6.QtCore import QCoreApplication

    from app.core.settings import Settings
    from app.ui.i18n import install_translators

    app = QCoreApplication.instance()
    if app is None:
        if _has_screen(args):
            from PySide6.QtWidgets import QApplication

            app = QApplication([sys.argv[0], *args.qt_args])
        else:
            app = QCoreApplication([sys.argv[0]])
    install_translators(app, Settings.in_profile(exc.profile, read_only=True).get("language"))
    title, text = profile_in_use_texts(exc)
    print(f"glm-desk: {text}", file=sys.stderr)
    from PySide6.QtGui import QGuiApplication

    if (
        isinstance(app, QGuiApplication)
        and not args.no_crash_dialog
        and QGuiApplication.platformName() not in ("offscreen", "minimal")
    ):
        from PySide6.QtWidgets import QMessageBox

        from app.ui.icon import app_icon

        app.setWindowIcon(app_icon())
        box = QMessageBox(QMessageBox.Icon.Warning, title, text)
        box.setObjectName("profileInUseDialog")
        box.exec()
    return EXIT_PROFILE_IN_USE


def profile_in_use_texts(exc: ProfileInUse) -> tuple[str, str]:
    """The title and the text that tell a second GLM Desk's user what happened and what to
    do, in the installed language."""
    from PySide6.QtCore import QCoreApplication

    translate = QCoreApplication.translate
    title = translate("ProfileLock", "GLM Desk is already running")
    if exc.pid:
        what = translate(
            "ProfileLock", "Another GLM Desk (process {pid}) is using the profile folder {folder}."
        )
    else:
        what = translate("ProfileLock", "Another GLM Desk is using the profile folder {folder}.")
    todo = translate(
        "ProfileLock",
        "Use the GLM Desk window that is already open, or start a second one with a profile "
        "folder of its own: glm-desk --profile DIR",
    )
    return title, what.format(pid=exc.pid, folder=exc.profile) + "\n" + todo


def _has_screen(args: argparse.Namespace) -> bool:
    """Whether a window could be shown: not offscreen, not --no-crash-dialog, and on Linux
    an X or Wayland display (or a platform named explicitly)."""
    if args.no_crash_dialog:
        return False
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    qt_args = list(args.qt_args)
    for i, arg in enumerate(qt_args):
        if arg in ("-platform", "--platform") and i + 1 < len(qt_args):
            platform = qt_args[i + 1]
    name = platform.split(":")[0].strip()
    if name in ("offscreen", "minimal"):
        return False
    if sys.platform.startswith("linux") and not name:
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "__run-snippet__":  # the bundle's snippet launcher (no Qt)
        from app.core.runner.launcher import main as launch

        return launch(argv[1:])
    if argv and argv[0] == "ask":  # the terminal's question: no Qt
        from app.ask import run

        return run(argv[1:])
    if argv and argv[0] in ("export", "import"):  # history commands: no window
        from app.cli import run_command

        return run_command(argv)
    args = parse_args(argv)

    from app.core.profile import ProfileInUse, ProfileLock, resolve_profile

    profile = resolve_profile(args.profile)
    # Before anything is written to the profile (the log, settings, history, window state,
    # the open tabs, the llama-server pid file): one GLM Desk per profile.
    try:
        lock = ProfileLock.acquire(profile)
    except ProfileInUse as exc:
        return profile_in_use(args, exc)
    with lock:
        return start(args, profile)


def start(args: argparse.Namespace, profile: Path) -> int:
    """The app on a profile that is ours: logging, the crash hook, Qt, the window."""
    from app.core.profile import setup_logging

    log_file = setup_logging(profile, logging.DEBUG if args.debug else logging.INFO)
    log.info("starting %s %s, profile %s", APP_NAME, __version__, profile)
    sys.excepthook = CrashHook(log_file, dialog=not args.no_crash_dialog)

    # httpx's package imports its command-line tool, which imports click, rich and Pygments
    # when they are installed (they often are: rich comes with many tools): 40 ms and 5 MiB
    # for something the app never runs. A None entry makes that import fail, and httpx then
    # leaves the tool out, as it does where they are missing.
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

    # qasync picks its Qt binding from QT_API, else from what is imported first: force both
    # (a QT_API=pyqt6 left in the user's environment must not switch bindings).
    os.environ["QT_API"] = "pyside6"
    from PySide6.QtWidgets import QApplication

    from app.ui.pyside_imports import lighten_pyside_import_hook

    lighten_pyside_import_hook()  # before the app's own modules are imported

    # isort: split
    import qasync

    app = QApplication.instance() or QApplication([sys.argv[0], *args.qt_args])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("GLM Desk")
    app.setDesktopFileName(APP_ID)  # matches packaging/linux/<APP_ID>.desktop
    from app.ui.icon import app_icon

    app.setWindowIcon(app_icon())
    app.setQuitOnLastWindowClosed(False)  # run_app decides when we are done

    # Before any widget exists: its texts are translated and its colours chosen as it is built.
    from app.core.settings import Settings
    from app.ui.i18n import install_translators
    from app.ui.theme import apply_theme

    settings = Settings.in_profile(profile)
    install_translators(app, settings.get("language"))
    apply_theme(app, settings.get("appearance.theme"), settings.get("appearance.font_size"))

    try:
        return qasync.run(run_app(args, profile, log_file, settings))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
