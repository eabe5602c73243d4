"""The real app, asked one question as soon as its session is restored (for kill tests).

usage: python -m tests.integration.kill_target PROFILE BASE_URL QUESTION
"""

from __future__ import annotations

import sys

from app.main import main
from app.ui.history_controller import HistoryController

_restore = HistoryController.restore_session


async def restore_then_ask(self: HistoryController) -> None:
    await _restore(self)
    self.composer.setPlainText(sys.argv[3])
    self.composer.submit()
    print("asked", flush=True)


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
