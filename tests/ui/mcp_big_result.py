"""Run by tests/ui/test_mcp_loop.py in a fresh interpreter: the window, the SDK echo server and
a protocol test server; the model asks for a 5 MB tool result; prints one JSON line with the
largest gap between turns of the event loop while it arrives and is shown, and what the
model was sent. A fresh process, because the test session's own state (late in a full run)
made the same measurement twice as slow as the app is."""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.protocol_servers import ProtocolServer, Reply  # noqa: E402

app = QApplication([])
SERVER = ProtocolServer("openrouter").__enter__()  # before qasync's loop policy


async def main() -> dict:
    from app.core.mcp.config import ServerConfig
    from app.services.backend import Backend
    from app.services.history import HistoryService
    from app.ui.main_window import MainWindow
    from tests.ui.conftest import providers_at

    history = HistoryService(Path(tempfile.mkdtemp()) / "history.db")
    backend = Backend(environ={"OPENROUTER_API_KEY": "test-key"})
    win = MainWindow(backend, history, providers_at(SERVER.base_url), initial_provider="openrouter")
    win.show()
    echo = ServerConfig(
        name="echo",
        command=sys.executable,
        args=(str(ROOT / "tests" / "mcp_servers" / "echo_server.py"),),
        always_allow=frozenset({"big", "echo"}),
    )
    await win.mcp.put(echo)
    session = win.tabs.current_tab().session

    async def exchange(text: str, n: int) -> None:
        win.composer.setPlainText(text)
        win.send_button.click()
        while len([r for r in SERVER.requests if r.path.endswith("/completions")]) < n:
            await asyncio.sleep(0.01)
        while session.busy:
            await asyncio.sleep(0.01)

    warm = {"id": "w1", "name": "echo__echo", "arguments": '{"text": "hi"}'}
    SERVER.push(Reply(text="", tool_calls=[warm]), Reply(text="Ready."))
    await exchange("Warm up", 2)  # what any first request loads is not measured
    big = {"id": "b1", "name": "echo__big", "arguments": '{"size": 5000000}'}
    SERVER.push(Reply(text="", tool_calls=[big]), Reply(text="That was long."))
    from tests.ui.test_hostile_input import loop_watch

    with loop_watch() as gaps:  # the gaps between turns of the event loop
        await exchange("Give me a lot", 4)
    result = session.conversation.messages[-2].content
    outcome = {
        "largest_gap": max(gaps),
        "result_start": result[:20],
        "result_length": len(result),
        "said_cut": "4,900,000 more characters" in result,
    }
    print(json.dumps(outcome), flush=True)  # before the window goes (the loop stops with it)
    win.close()
    await win.wait_stopped()
    await backend.aclose()
    history.flush_and_close()
    return outcome


if __name__ == "__main__":
    import qasync

    try:
        qasync.run(main())
    except RuntimeError:
        pass  # the loop stops as the window closes
    SERVER.__exit__(None, None, None)
