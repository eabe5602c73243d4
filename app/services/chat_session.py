"""One conversation's chat: owns its request task and turns stream events into signals."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from contextlib import aclosing

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from app.core.client import Retrying
from app.core.context import answer_reserve, fit_to_context, prompt_tokens
from app.core.conversation import AnswerState, ChatMessage, Conversation
from app.core.errors import FINISH_NOTICES, ChatError, ErrorKind, make_error
from app.core.i18n import QT_TRANSLATE_NOOP, joined
from app.core.protocol import Finish, Message, Role, TextDelta, Timings, Usage
from app.core.providers import GenerationParams, Provider
from app.core.redact import redact_fields
from app.services.backend import Backend
from app.services.history import HistoryService
from app.services.providers import ProviderService
from app.services.translation import translated

log = logging.getLogger(__name__)

FLUSH_INTERVAL_MS = 25  # coalesce deltas: at most one view update per frame
SAVE_INTERVAL_MS = 250  # a streaming answer is saved at least this often
CONTINUE_PROMPT = (
    "Your previous answer was cut off. Continue it exactly where it stopped, "
    "without repeating anything."
)


class ChatSession(QObject):
    """Sends, edits, regenerates and continues; each request is one task that this session
    owns (Stop cancels it, and what arrived stays). The generation settings of a request come
    from the `ProviderService`; nothing here knows about widgets."""

    messageAdded = Signal(int)  # index into conversation.messages
    textArrived = Signal(int, str)  # index, coalesced new text
    messageFinished = Signal(int)  # the answer at index reached DONE/STOPPED/ERROR
    reset = Signal()  # the branch shown changed (edit, regenerate, delete, version switch)
    busyChanged = Signal(bool)
    statusChanged = Signal(str)

    def __init__(
        self,
        backend: Backend,
        history: HistoryService | None = None,
        conversation: Conversation | None = None,
        parent: QObject | None = None,
        providers: ProviderService | None = None,
    ) -> None:
        super().__init__(parent)
        self.backend = backend
        self.providers = providers  # None: each provider's own defaults (tests, scripts)
        self.history = history
        self.conversation = conversation or Conversation()
        self.draft = ""  # the composer's unsent text while another tab is shown
        self.status = self.tr("Ready")
        self._task: asyncio.Task[None] | None = None
        self._busy = False
        self._pending: list[str] = []
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(FLUSH_INTERVAL_MS)
        self._flush_timer.timeout.connect(self._flush)
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_INTERVAL_MS)
        self._save_timer.timeout.connect(self._save_answer)
        self._answer_index = -1
        self._answer: ChatMessage | None = None
        self._last_provider: Provider | None = None
        self._prompt_limit: int | None = None  # tokens, after "trim the history"
        self._last_prompt = 0  # estimated tokens of the history last sent

    @property
    def busy(self) -> bool:
        return self._busy

    def send(self, text: str, provider: Provider) -> bool:
        """Add the user's message and start the answer. False if busy or text is empty."""
        if self.busy or not text.strip():
            return False
        index = self.conversation.add(ChatMessage(Role.USER, text))
        self.messageAdded.emit(index)
        self._start(provider)
        return True

    def edit(self, index: int, text: str, provider: Provider) -> bool:
        """Send a new version of the user message at index; the old branch is kept."""
        m = self._message(index, Role.USER)
        if m is None or not text.strip():
            return False
        self.conversation.truncate(index)
        self.conversation.add(ChatMessage(Role.USER, text))
        self.reset.emit()
        self._start(provider)
        return True

    def regenerate(self, index: int | None = None, provider: Provider | None = None) -> bool:
        """A new version of the answer at index (default: the last one); earlier ones stay."""
        provider = provider or self._last_provider
        msgs = self.conversation.messages
        if index is None:
            index = len(msgs) - 1 if msgs and msgs[-1].role == Role.ASSISTANT else len(msgs)
        if self.busy or provider is None or index < 1 or index > len(msgs):
            return False
        if msgs[index - 1].role != Role.USER:
            return False
        self.conversation.truncate(index)
        self.reset.emit()
        self._start(provider)
        return True

    def retry(self, provider: Provider | None = None, trim: bool = False) -> bool:
        """Ask again for the last user message (after an error or a stop); with `trim`,
        send a shorter history (after the model said the conversation was too long)."""
        if trim and not self.busy:
            self._prompt_limit = self._last_prompt // 2  # half of what the model refused
        return self.regenerate(None, provider)

    def continue_answer(self, index: int, provider: Provider) -> bool:
        """Ask the model to carry on an answer that was cut off; the text goes on in place."""
        m = self._message(index, Role.ASSISTANT)
        if m is None or index != len(self.conversation.messages) - 1 or not m.content:
            return False
        history = self.conversation.wire_messages(upto=index + 1)
        history.append(Message(Role.USER, CONTINUE_PROMPT))
        m.state, m.error, m.notice = AnswerState.STREAMING, None, ""
        self.reset.emit()
        self._launch(provider, m, index, history)
        return True

    def delete(self, message_id: str) -> bool:
        if self.busy or message_id not in self.conversation.nodes:
            return False
        moved = self.conversation.delete(message_id)
        self._save(moved, deleted_ids=[message_id])
        self.reset.emit()
        return True

    def switch_version(self, message_id: str, step: int) -> bool:
        """Show the previous (-1) or next (+1) version of a message."""
        m = self.conversation.nodes.get(message_id)
        if self.busy or m is None:
            return False
        versions = self.conversation.siblings(m)
        i = versions.index(m) + step
        if not 0 <= i < len(versions):
            return False
        self.conversation.switch_to(versions[i].id)
        self._save()
        self.reset.emit()
        return True

    def _message(self, index: int, role: Role) -> ChatMessage | None:
        msgs = self.conversation.messages
        if self.busy or not 0 <= index < len(msgs) or msgs[index].role != role:
            return None
        return msgs[index]

    def stop(self) -> None:
        if self.busy and self._task is not None:
            self._task.cancel()

    async def wait_stopped(self, timeout: float = 3.0) -> None:
        """Let the answer's task end (after `stop`), so its last save is queued."""
        if self._task is not None and not self._task.done():
            await asyncio.wait([self._task], timeout=timeout)

    def _start(self, provider: Provider) -> None:
        answer = ChatMessage(
            Role.ASSISTANT,
            state=AnswerState.STREAMING,
            provider_id=provider.id,
            model=provider.model,
        )
        index = self.conversation.add(answer)
        history = self.conversation.wire_messages()  # the empty answer is left out
        self.messageAdded.emit(index)
        self._launch(provider, answer, index, history)

    def _launch(
        self, provider: Provider, answer: ChatMessage, index: int, history: list[Message]
    ) -> None:
        self._last_provider = provider
        params = (
            self.providers.params_for(provider, self.conversation)
            if self.providers is not None
            else provider.defaults
        )
        if params.system_prompt.strip():
            history = [Message(Role.SYSTEM, params.system_prompt), *history]
        n_ctx = provider.context_window
        history, dropped = fit_to_context(
            history, n_ctx, answer_reserve(n_ctx, provider.max_output), self._prompt_limit
        )
        self._last_prompt = prompt_tokens(history)
        if dropped:
            if dropped > 1:
                notice = QT_TRANSLATE_NOOP(
                    "ChatSession",
                    "{n} earlier messages were left out so the conversation fits the model's "
                    "context ({n_ctx:,} tokens).",
                )
            else:
                notice = QT_TRANSLATE_NOOP(
                    "ChatSession",
                    "{n} earlier message was left out so the conversation fits the model's "
                    "context ({n_ctx:,} tokens).",
                )
            answer.notice = notice.format(n=dropped, n_ctx=n_ctx)
        self._answer_index, self._answer = index, answer
        self._save(self.conversation.messages[-2:])  # the question and the empty answer
        self._busy = True
        self._task = asyncio.ensure_future(self._run(provider, history, answer, params))
        self.busyChanged.emit(True)

    def _save(self, messages: Iterable[ChatMessage] = (), deleted_ids: Iterable[str] = ()) -> None:
        if self.history is not None and self.conversation.nodes:
            self.history.save(self.conversation, messages, deleted_ids)

    def save_fields(self) -> None:
        """Queue the conversation's own fields (title, settings, ...) for the history."""
        self._save()

    def _save_answer(self) -> None:
        self._save_timer.stop()
        self._flush()  # everything received so far is saved
        if self._answer is not None:
            self._save([self._answer])

    def _set_status(self, text: str) -> None:
        self.status = text
        self.statusChanged.emit(text)

    async def _run(
        self,
        provider: Provider,
        history: list[Message],
        answer: ChatMessage,
        params: GenerationParams,
    ) -> None:
        index = self._answer_index
        self._set_status(self.tr("Connecting to {provider}…").format(provider=provider.name))
        first_token_at: float | None = None
        deltas = 0
        last_status = 0.0
        timings: Timings | None = None
        try:
            client = self.backend.client_for(provider)
            async with aclosing(client.stream(history, params)) as events:
                async for event in events:
                    if isinstance(event, TextDelta):
                        now = time.monotonic()
                        if first_token_at is None:
                            first_token_at = now
                        deltas += 1
                        # Joined into the answer once per flush, not per delta: `+=` on an
                        # attribute copies the whole text each time (quadratic for 1 MB).
                        self._pending.append(event.text)
                        if deltas == 1:
                            self._flush()  # the first token shows at once, not a frame later
                        elif not self._flush_timer.isActive():
                            self._flush_timer.start()
                        if not self._save_timer.isActive():
                            self._save_timer.start()
                        if now - last_status > 0.5:
                            last_status = now
                            rate = deltas / max(now - first_token_at, 1e-3)
                            self._set_status(
                                self.tr("Streaming from {provider} · {rate:.0f} tokens/s").format(
                                    provider=provider.name, rate=rate
                                )
                            )
                    elif isinstance(event, Usage):
                        answer.usage = event
                    elif isinstance(event, Timings):
                        timings = event
                    elif isinstance(event, Finish):
                        finish = FINISH_NOTICES.get(event.reason, "")
                        answer.notice = joined((answer.notice, finish))
                    elif isinstance(event, Retrying):
                        self._set_status(
                            self.tr("{error} Retrying in {seconds:.0f} s (attempt {n})…").format(
                                error=translated(event.error.message),
                                seconds=event.delay,
                                n=event.attempt + 1,
                            )
                        )
            answer.state = AnswerState.DONE
            self._prompt_limit = None  # it fitted: the next request may use the whole window
            self._set_status(self._done_text(provider, answer, deltas, first_token_at, timings))
        except asyncio.CancelledError:
            answer.state = AnswerState.STOPPED
            self._set_status(
                self.tr("Stopped · the partial answer is kept")
                if answer.content or self._pending
                else self.tr("Stopped")
            )
            raise
        except ChatError as err:
            # A server may echo the key back ("Incorrect API key provided: …"): never show,
            # store or log it.
            redact_fields(err, "message", "action", "detail")
            answer.state, answer.error = AnswerState.ERROR, err
            log.warning(
                "chat failed: %s (%s, status %s, code %s)",
                err.kind,
                err.message,
                err.status,
                err.code,
            )
            self._set_status(self.tr("Error: {message}").format(message=translated(err.message)))
        except Exception as exc:  # a bug of ours: keep the conversation, show what happened
            log.exception("unexpected failure while streaming")
            answer.state = AnswerState.ERROR
            answer.error = make_error(
                ErrorKind.SERVER,
                QT_TRANSLATE_NOOP("ChatError", "Something went wrong in GLM Desk: {error}.").format(
                    error=type(exc).__name__
                ),
                retryable=False,
            )
            self._set_status(
                self.tr("Error: {message}").format(message=translated(answer.error.message))
            )
        finally:
            self._flush()
            self.conversation.updated = time.time()
            self._save_answer()
            self._answer = None
            self._busy = False
            self.messageFinished.emit(index)
            self.busyChanged.emit(False)

    @staticmethod
    def _done_text(
        provider: Provider,
        answer: ChatMessage,
        deltas: int,
        first_token_at: float | None,
        timings: Timings | None,
    ) -> str:
        tokens = (answer.usage.completion_tokens if answer.usage else None) or deltas

        translate = QCoreApplication.translate
        parts = [
            translate("ChatSession", "Done · {provider}").format(provider=provider.name),
            translate("ChatSession", "{n} tokens").format(n=tokens),
        ]
        rate = translate("ChatSession", "{rate:.0f} tokens/s")
        if timings and timings.predicted_per_second:
            parts.append(rate.format(rate=timings.predicted_per_second))
        elif first_token_at is not None:
            elapsed = time.monotonic() - first_token_at
            if elapsed > 0.05:
                parts.append(rate.format(rate=deltas / elapsed))
        if answer.usage and answer.usage.cost_usd:
            parts.append(f"${answer.usage.cost_usd:.5f}")
        return " · ".join(parts)

    def _flush(self) -> None:
        """The text received since the last flush joins the answer and goes to the view."""
        self._flush_timer.stop()
        if self._pending:
            text = "".join(self._pending)
            self._pending.clear()
            if self._answer is not None:
                self._answer.content += text
            self.textArrived.emit(self._answer_index, text)

    def close(self) -> None:
        """The tab is gone: detach from the UI, stop, and delete once the task has ended."""
        for signal in (
            self.messageAdded,
            self.textArrived,
            self.messageFinished,
            self.reset,
            self.busyChanged,
            self.statusChanged,
        ):
            signal.disconnect()
        if self._task is not None and not self._task.done():
            self._task.add_done_callback(lambda _t: self.deleteLater())
            self._task.cancel()
        else:
            self.deleteLater()
