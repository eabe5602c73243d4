"""The settings, as a Qt service: validated changes, a signal, saves off the GUI thread."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.core.settings import Settings
from app.services.translation import translated

log = logging.getLogger(__name__)


class SettingsService(QObject):
    """Owns the `Settings`. `apply` validates and sets several options at once, emits
    `changed` with the keys whose value changed, and saves on a worker thread (one at a
    time, in order). `problem` reports a file that could not be read or written."""

    changed = Signal(list)  # keys whose value changed
    problem = Signal(str)

    def __init__(self, settings: Settings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="settings")
        self._saving: asyncio.Future[None] | None = None

    @classmethod
    def in_profile(cls, profile: Path, parent: QObject | None = None) -> SettingsService:
        return cls(Settings.in_profile(profile), parent)

    def get(self, key: str) -> object:
        return self.settings.get(key)

    def announce(self) -> None:
        """Emits `problem` for what went wrong while loading (call once the UI listens)."""
        for text in self.settings.problems:
            self.problem.emit(translated(text))  # a signal carries a plain str

    def apply(self, values: Mapping[str, object]) -> list[str]:
        """Sets these options (ValueError for a bad one, and nothing changes), saves, and
        returns the keys that changed."""
        before = {key: self.settings.get(key) for key in values}
        self.settings.update(values)
        keys = [key for key in values if self.settings.get(key) != before[key]]
        if keys:
            self.save_soon()
            self.changed.emit(keys)
        return keys

    def save_soon(self) -> None:
        """Queues a save on the worker thread (the text is taken now, on this thread)."""
        if self.settings.path is None:
            return
        text = self.settings.to_json()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop (tests, shutdown): write now
            self._write(text)
            return
        self._saving = asyncio.wrap_future(self._writer.submit(self._write, text), loop=loop)

    def _write(self, text: str) -> None:
        try:
            self.settings.save_text(text)
        except OSError as e:
            log.error("settings: could not save: %s", e)
            self.problem.emit(
                self.tr("Your settings could not be saved ({reason}).").format(
                    reason=e.strerror or str(e)
                )
            )

    async def flush(self) -> None:
        """Waits for the last queued save."""
        if self._saving is not None:
            await asyncio.shield(self._saving)

    def close(self) -> None:
        self._writer.shutdown(wait=True)
