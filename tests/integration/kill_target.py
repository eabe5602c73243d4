"""The real app, asked one question as soon as its session is restored (for kill tests).

usage: python -m tests.integration.kill_target PROFILE BASE_URL QUESTION [--new-tab]

Prints "asked" when the question is sent and "answered" when an answer ends. With
``--new-tab`` the question goes to a new conversation of its own; SIGUSR1 asks it again
(with " again") in the current tab, so a test can see that a running app still works.
"""

from __future__ import annotations

import signal
import sys

from PySide6.QtCore import QTimer

from app.main import main
from app.ui.history_controller import HistoryController

_restore = HistoryController.restore_session


def ask(self: HistoryController, question: str) -> None:
    self.composer.setPlainText(question)
    self.composer.submit()
    print("asked", flush=True)


async def restore_then_ask(self: HistoryController) -> None:
    await _restore(self)
    if "--new-tab" in sys.argv[4:]:
        self.tabs.new_tab()
    tab = self.tabs.current_tab()
    assert tab is not None
    tab.answerFinished.connect(lambda _message: print("answered", flush=True))
    ask(self, sys.argv[3])
    # Python runs the handler between two steps of the loop (the app's heartbeat timer).
    signal.signal(
        signal.SIGUSR1,
        lambda *_: QTimer.singleShot(0, lambda: ask(self, sys.argv[3] + " again")),
    )


HistoryController.restore_session = restore_then_ask  # type: ignore[method-assign]

if __name__ == "__main__":
    profile, base_url = sys.argv[1], sys.argv[2]
    sys.exit(
        main(
            [
                "--profile",
                profile,
                "--provider",
                "openrouter",
                "--base-url",
                base_url,
                "--no-crash-dialog",
            ]
        )
    )
