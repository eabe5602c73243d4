"""One comparison in a conversation: a question sent to two sides at once.

`CompareSession` adds the question and two answers to the conversation (the second a version
of the first, so both stay in the history and either can be the one shown), streams both on
their own tasks (a stop or an error on one side leaves the other going), measures each
(app/core/compare.py), saves as they go and at the end, and keeps the side the user chooses.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QObject, QTimer, Signal

from app.core.compare import SideResult, SideSpec, add_answers, answer_diff, stream_side
from app.core.conversation import ChatMessage, Conversation
from app.core.protocol import Role
from app.core.providers import Provider
from app.core.redact import redact_fields
from app.services.backend import Backend
from app.services.history import HistoryService
from app.services.providers import ProviderService

FLUSH_MS = 30
SAVE_MS = 250


class CompareSession(QObject):
    textArrived = Signal(int, str)  # side (0, 1), new text
    sideFinished = Signal(int)
    finished = Signal()  # both sides ended

    def __init__(
        self,
        backend: Backend,
        providers: ProviderService,
        history: HistoryService | None,
        conversation: Conversation,
        sides: list[tuple[Provider, SideSpec]],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.backend = backend
        self.providers = providers
        self.history = history
        self.conversation = conversation
        self.sides = sides
        self.results = [SideResult(), SideResult()]
        self.answers: list[ChatMessage] = []
        self.question: ChatMessage | None = None
        self.tasks: list[asyncio.Task[None]] = []
        self._pending: list[list[str]] = [[], []]
        self._flush_timer = QTimer(self)
        self._flush_timer.setInterval(FLUSH_MS)
        self._flush_timer.timeout.connect(self._flush)
        self._save_timer = QTimer(self)
        self._save_timer.setInterval(SAVE_MS)
        self._save_timer.timeout.connect(self._save)

    @property
    def running(self) -> bool:
        return any(not t.done() for t in self.tasks)

    def labels(self) -> list[str]:
        return [spec.label(provider) for provider, spec in self.sides]

    def start(self, text: str) -> None:
        conv = self.conversation
        self.question = ChatMessage(Role.USER, text)
        conv.add(self.question)
        params = [
            spec.params(self.providers.params_for(provider, conv)) for provider, spec in self.sides
        ]
        history = conv.wire_messages(params[0].system_prompt)
        self.answers = add_answers(conv, [provider for provider, _ in self.sides])
        self._save()
        for n, (provider, _spec) in enumerate(self.sides):
            client = self.backend.client_for(provider)
            task = asyncio.ensure_future(
                stream_side(
                    lambda c=client, p=params[n]: c.stream(history, p),
                    self.answers[n],
                    self.results[n],
                    lambda text, n=n: self._pending[n].append(text),
                )
            )
            task.add_done_callback(lambda _t, n=n: self._side_done(n))
            self.tasks.append(task)
        self._flush_timer.start()
        self._save_timer.start()

    def _flush(self) -> None:
        for n, pending in enumerate(self._pending):
            if pending:
                text = "".join(pending)
                pending.clear()
                self.textArrived.emit(n, text)

    def _side_done(self, n: int) -> None:
        self._flush()
        result = self.results[n]
        if result.error is not None:
            redact_fields(result.error, "message", "action", "detail")
        self._save()
        self.sideFinished.emit(n)
        if not self.running:
            self._flush_timer.stop()
            self._save_timer.stop()
            self.finished.emit()

    def _save(self) -> None:
        if self.history is not None and self.question is not None:
            self.history.save(self.conversation, [self.question, *self.answers])

    def stop(self, side: int | None = None) -> None:
        """Stop one side (or both); what arrived stays."""
        for n, task in enumerate(self.tasks):
            if side is None or n == side:
                task.cancel()

    async def wait(self) -> None:
        await asyncio.gather(*self.tasks, return_exceptions=True)

    def keep(self, side: int) -> None:
        """This side's answer is the one the conversation shows (the other stays a version)."""
        self.conversation.switch_to(self.answers[side].id)
        self._save()

    def diff(self) -> str:
        a, b = self.answers
        return answer_diff(a, b, "A", "B")
