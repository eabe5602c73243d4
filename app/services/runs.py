"""The snippet runner's service: which sandbox works, the runtimes, the runs under way.

`RunService` owns what every run shares: the sandbox layer (probed once, in the background,
the first time a run needs it, and again when `runner.sandbox` changes), the limits and the
Python interpreter from the settings (per workspace: `runner.interpreters`), the runs going
on (Stop ends one; quit ends them all) and their pid records (`run-pids/` in the profile;
the next start ends what a killed app left). The runner (app/core/runner) is imported on the
first run, not at start-up.

`conversation_runner(workspace)` is what a conversation's `run_code` tool runs with.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from app.services.settings import SettingsService

if TYPE_CHECKING:
    from collections.abc import Callable

    from app.core.runner.languages import Runtime
    from app.core.runner.record import RunRecord
    from app.core.runner.run import Limits, SnippetRun
    from app.core.runner.sandbox import Layer, Probe

PID_DIR = "run-pids"
MiB = 1024 * 1024


class RunRefused(Exception):
    """A run that cannot start: no runtime, or the sandbox chosen does not work here."""


class RunService(QObject):
    layerChanged = Signal()  # the sandbox layer was found (or the choice changed)
    runsChanged = Signal()  # a run started or ended

    def __init__(
        self, settings: SettingsService | None, profile: Path, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.profile = profile
        self.pid_dir = profile / PID_DIR
        self._probes: dict[Layer, Probe] | None = None
        self._probing: asyncio.Task[dict[Layer, Probe]] | None = None
        self._runtimes: dict[tuple[str, str], Runtime] = {}
        self.active: set[SnippetRun] = set()
        if settings is not None:
            settings.changed.connect(self._settings_changed)

    def _setting(self, key: str, default: object) -> object:
        return self.settings.get(key) if self.settings is not None else default

    def _settings_changed(self, keys: list[str]) -> None:
        if "runner.sandbox" in keys:
            self.layerChanged.emit()
        if "runner.python" in keys or "runner.interpreters" in keys:
            self._runtimes.clear()

    # --- the sandbox -------------------------------------------------------------------

    @property
    def forced(self) -> str:
        return str(self._setting("runner.sandbox", "auto"))

    async def probes(self) -> dict[Layer, Probe]:
        """Every layer probed once per run of the app (together, off the GUI thread)."""
        if self._probes is not None:
            return self._probes
        if self._probing is None:
            self._probing = asyncio.ensure_future(self._probe_all())
        probes = await asyncio.shield(self._probing)
        self._probes = probes
        return probes

    async def _probe_all(self) -> dict[Layer, Probe]:
        from app.core.runner.sandbox import LAYERS, probe

        found = await asyncio.gather(*(asyncio.to_thread(probe, layer) for layer in LAYERS))
        probes = dict(zip(LAYERS, found, strict=True))
        self._probes = probes
        self.layerChanged.emit()
        return probes

    def known_layer(self) -> tuple[Layer | None, str] | None:
        """The layer a run would use and why the stronger ones are not, once probed."""
        if self._probes is None:
            return None
        from app.core.runner.sandbox import choose

        return choose(self.forced, self._probes)

    async def layer(self) -> Layer:
        """The layer to run in; RunRefused when the one chosen in the settings fails here."""
        await self.probes()
        known = self.known_layer()
        assert known is not None
        layer, why = known
        if layer is None:
            text = self.tr("The sandbox chosen in Settings ({layer}) does not work here: {why}")
            raise RunRefused(text.format(layer=self.forced, why=why))
        return layer

    # --- runtimes ----------------------------------------------------------------------

    def interpreters(self) -> dict[str, str]:
        try:
            found = json.loads(str(self._setting("runner.interpreters", "{}")))
        except ValueError:
            return {}
        return found if isinstance(found, dict) else {}

    def python_for(self, workspace: str) -> str:
        """The interpreter chosen for a workspace, else the global one ("": python3)."""
        return self.interpreters().get(workspace, "") or str(self._setting("runner.python", ""))

    def set_python(self, workspace: str, interpreter: str) -> None:
        """Choose a workspace's interpreter (without a workspace: the default one)."""
        if self.settings is None:
            return
        if not workspace:
            self.settings.apply({"runner.python": interpreter})
            return
        chosen = self.interpreters()
        if interpreter:
            chosen[workspace] = interpreter
        else:
            chosen.pop(workspace, None)
        self.settings.apply({"runner.interpreters": json.dumps(chosen)})

    async def runtime(self, language: str, workspace: str = "") -> Runtime:
        from app.core.runner.languages import PYTHON, RuntimeMissing, find_runtime

        python = self.python_for(workspace) if language == PYTHON else ""
        key = (language, python)
        if key not in self._runtimes:
            try:
                self._runtimes[key] = await asyncio.to_thread(find_runtime, language, python)
            except RuntimeMissing as exc:
                raise RunRefused(str(exc)) from exc
        return self._runtimes[key]

    async def runtimes(self, workspace: str = "") -> dict[str, Runtime | str]:
        """Each language's runtime, or why it has none (for the pane's menu)."""
        from app.core.runner.languages import LANGUAGES

        out: dict[str, Runtime | str] = {}
        for language in LANGUAGES:
            try:
                out[language] = await self.runtime(language, workspace)
            except RunRefused as exc:
                out[language] = str(exc)
        return out

    # --- runs --------------------------------------------------------------------------

    def limits(self) -> Limits:
        from app.core.runner.run import Limits

        timeout = float(self._setting("runner.timeout", 30.0))  # type: ignore[arg-type]
        return Limits(
            timeout=timeout,
            cpu=max(1, int(timeout)),
            memory=int(self._setting("runner.memory_mb", 2048)) * MiB,  # type: ignore[call-overload]
            processes=int(self._setting("runner.processes", 64)),  # type: ignore[call-overload]
        )

    async def prepare(
        self,
        language: str,
        code: str,
        workspace: str = "",
        network: bool = False,
        tests: str = "",
    ) -> SnippetRun:
        """A run ready to start (`await run.run(notify)`, through `track`)."""
        from app.core.runner.run import RunRequest, SnippetRun

        runtime = await self.runtime(language, workspace)
        layer = await self.layer()
        request = RunRequest(language, code, runtime, layer, network, self.limits(), tests)
        return SnippetRun(request, self.pid_dir)

    async def track(self, run: SnippetRun, notify: Callable[[], None] | None = None) -> RunRecord:
        """Run it to its end (Stop: `run.stop()`), kept in `active` meanwhile."""
        from app.core.runner.outcome import record_of

        self.active.add(run)
        self.runsChanged.emit()
        try:
            result = await run.run(notify)
        finally:
            self.active.discard(run)
            self.runsChanged.emit()
        request = run.request
        return record_of(
            -1,
            request.language,
            request.code,
            result,
            run.output.pieces(),
            run.output.cut,
            runtime=request.runtime.label,
            network=request.network,
            tests=request.tests,
            work=run.inside,
        )

    def conversation_runner(self, workspace: Callable[[], str]) -> ConversationRunner:
        return ConversationRunner(self, workspace)

    async def end_orphans(self) -> list[int]:
        from app.core.runner.run import end_orphans

        return await asyncio.to_thread(end_orphans, self.pid_dir)

    def shutdown(self) -> None:
        """Quit: every run ends now (its whole process group)."""
        for run in list(self.active):
            run.stop()


class ConversationRunner:
    """run_code for one conversation: its workspace's interpreter, no network."""

    def __init__(self, service: RunService, workspace: Callable[[], str]) -> None:
        self.service = service
        self.workspace = workspace

    def unconfined(self) -> bool:
        from app.core.runner.sandbox import Layer

        known = self.service.known_layer()
        if known is None:  # not probed yet: ask, to be safe
            return True
        return known[0] in (Layer.NONE, None)

    async def run_code(self, language: str, code: str) -> RunRecord:
        from app.core.runner.languages import LANGUAGES
        from app.core.tools.declare import ToolRefused

        if language not in LANGUAGES:
            raise ToolRefused(f"run_code cannot run {language!r}: python, javascript or shell.")
        try:
            run = await self.service.prepare(language, code, self.workspace())
        except RunRefused as exc:
            raise ToolRefused(str(exc)) from exc
        return await self.service.track(run)
