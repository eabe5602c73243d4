"""One conversation's chat: owns its request task and turns stream events into signals."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Iterable
from contextlib import aclosing
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from app.core.client import Retrying
from app.core.context import answer_reserve, estimate_tokens, fit_to_context, prompt_tokens
from app.core.conversation import NOT_RUN, AnswerState, ChatMessage, Conversation, ToolCallRecord
from app.core.conversation import new_id as new_message_id
from app.core.errors import FINISH_NOTICES, ChatError, ErrorKind, make_error
from app.core.i18n import QT_TRANSLATE_NOOP, joined
from app.core.protocol import (
    Finish,
    Message,
    Role,
    Sources,
    TextDelta,
    Timings,
    ToolCall,
    ToolCallAccumulator,
    ToolCallDelta,
    Usage,
)
from app.core.providers import Flavor, GenerationParams, Provider
from app.core.redact import redact_fields
from app.core.tools.declare import CallState, Decision, Tool
from app.services.backend import Backend
from app.services.history import HistoryService
from app.services.providers import ProviderService
from app.services.translation import translated

if TYPE_CHECKING:  # the workspace tools load with a conversation's first workspace
    from app.core.tools.toolbox import ToolBox
    from app.core.tools.workspace import WritePlan

log = logging.getLogger(__name__)

FLUSH_INTERVAL_MS = 25  # coalesce deltas: at most one view update per frame
SAVE_INTERVAL_MS = 250  # a streaming answer is saved at least this often
MAX_ROUNDS = 8  # setting tools.max_rounds: answers with tool calls in one request
KEPT_DIFF = 200_000  # characters of a write's diff kept with the call (its card shows it)
ROUNDS_NOTICE = QT_TRANSLATE_NOOP(
    "ChatSession",
    "Stopped after {n} rounds of tool calls (the limit, tools.max_rounds). Send a message to "
    "go on.",
)
TOOLS_REFUSED = QT_TRANSLATE_NOOP(
    "ChatSession",
    "This model does not take tools here ({provider}); the conversation goes on without them.",
)
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
    toolCallChanged = Signal(int, int)  # answer index, call index: its state changed
    approvalRequested = Signal(int, int)  # answer index, call index: waits for `decide`
    sourcesChanged = Signal(int)  # answer index: web sources arrived

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
        # Tools: offered while the toolbox has a workspace (see app/core/tools).
        self.toolbox: ToolBox | None = None
        self.max_rounds = MAX_ROUNDS
        self.pending_call: ToolCallRecord | None = None  # the call that waits for approval
        self.pending_plan: WritePlan | None = None  # ... and for a write, its change
        self._approval: asyncio.Future[Decision] | None = None
        self._tools_refused: set[str] = set()  # providers that answered "no tools" once
        self._web_plugin: set[str] = set()  # OpenRouter refused its web search server tool

    @property
    def busy(self) -> bool:
        return self._busy

    def send(self, text: str, provider: Provider, fixes: str = "") -> bool:
        """Add the user's message and start the answer. False if busy or text is empty.
        `fixes`: the code block a Fix it request asks to fix ("MESSAGE_ID:BLOCK")."""
        if self.busy or not text.strip():
            return False
        index = self.conversation.add(ChatMessage(Role.USER, text, fixes=fixes))
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
        if msgs[index - 1].role not in (Role.USER, Role.TOOL):  # an answer to a tool's result
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
        history = self.conversation.wire_messages(
            upto=index + 1, tools_as_text=provider.tools_as_text
        )
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

    def _new_answer(self, provider: Provider) -> tuple[ChatMessage, int, list[Message]]:
        """An empty streaming answer added to the branch, its index, and the history to send
        for it (the empty answer left out)."""
        answer = ChatMessage(
            Role.ASSISTANT,
            state=AnswerState.STREAMING,
            provider_id=provider.id,
            model=provider.model,
        )
        index = self.conversation.add(answer)
        history = self.conversation.wire_messages(tools_as_text=provider.tools_as_text)
        return answer, index, history

    def _start(self, provider: Provider) -> None:
        answer, index, history = self._new_answer(provider)
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
        history = self._fitted(provider, params, history, answer)
        self._answer_index, self._answer = index, answer
        self._save(self.conversation.messages[-2:])  # the question and the empty answer
        self._busy = True
        self._task = asyncio.ensure_future(self._run(provider, history, answer, params))
        self.busyChanged.emit(True)

    def _fitted(
        self,
        provider: Provider,
        params: GenerationParams,
        history: list[Message],
        answer: ChatMessage,
    ) -> list[Message]:
        """The history with the system prompt, fitted to the model's context (what was left
        out is said in the answer's notice)."""
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
        return history

    def _save(self, messages: Iterable[ChatMessage] = (), deleted_ids: Iterable[str] = ()) -> None:
        if self.history is not None and self.conversation.nodes:
            self.history.save(self.conversation, messages, deleted_ids)

    def save_message(self, message: ChatMessage) -> None:
        """Queue one message for the history (a run of one of its code blocks)."""
        self._save([message])

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
        """The answer, and while it ends in tool calls: the calls, then the next answer."""
        index = self._answer_index
        finished = False  # messageFinished was emitted for the answer at index
        rounds = 0
        try:
            if self.toolbox is not None and self.toolbox.mcp and self.toolbox.mcp.to_start():
                await self._prepare_tools(answer)
            while True:
                finished = False
                calls = await self._stream_answer(provider, history, answer, params)
                if not calls:
                    break
                rounds += 1
                last_round = rounds >= self.max_rounds
                if last_round:
                    answer.notice = joined((answer.notice, ROUNDS_NOTICE.format(n=rounds)))
                self._save([answer])
                finished = True
                self.messageFinished.emit(index)  # its text is done; its calls follow
                await self._run_calls(index, answer, calls)
                if last_round:
                    self._set_status(translated(ROUNDS_NOTICE.format(n=rounds)))
                    break
                answer, index, history = self._new_answer(provider)
                self._answer_index, self._answer = index, answer
                history = self._fitted(provider, params, history, answer)
                self._save([answer])
                self.messageAdded.emit(index)
        finally:
            self._answer = None
            self._busy = False
            if not finished:
                self.messageFinished.emit(index)
            self.busyChanged.emit(False)

    async def _stream_answer(
        self,
        provider: Provider,
        history: list[Message],
        answer: ChatMessage,
        params: GenerationParams,
    ) -> list[ToolCall]:
        """Stream one answer into `answer`; return the tool calls it ended with."""
        self._set_status(self.tr("Connecting to {provider}…").format(provider=provider.name))
        first_token_at: float | None = None
        deltas = 0
        last_status = 0.0
        timings: Timings | None = None
        calls = ToolCallAccumulator()
        tools = self.toolbox.wire() if self.toolbox is not None else []
        if provider.id in self._tools_refused:
            tools = []
        if provider.id in self._web_plugin:
            params = replace(params, web_plugin=True)
        answer.format = "json" if params.json_mode and provider.json_mode else ""
        try:
            client = self.backend.client_for(provider)
            async with aclosing(client.stream(history, params, tools or None)) as events:
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
                    elif isinstance(event, ToolCallDelta):
                        calls.add(event)
                    elif isinstance(event, Usage):
                        answer.usage = event
                    elif isinstance(event, Sources):
                        if answer.add_sources(event.items):
                            self.sourcesChanged.emit(self._answer_index)
                    elif isinstance(event, Timings):
                        timings = event
                    elif isinstance(event, Finish):
                        if event.reason != "tool_calls":
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
            self._flush()
            answer.state = AnswerState.DONE
            self._prompt_limit = None  # it fitted: the next request may use the whole window
            self._set_status(self._done_text(provider, answer, deltas, first_token_at, timings))
            return self._calls_of(provider, answer, calls.result())
        except asyncio.CancelledError:
            answer.state = AnswerState.STOPPED
            self._set_status(
                self.tr("Stopped · the partial answer is kept")
                if answer.content or self._pending
                else self.tr("Stopped")
            )
            raise
        except ChatError as err:
            if _refuses_web_tool(provider, params, err) and not answer.content:
                # OpenRouter's web search server tool is in beta: its older plugin instead.
                self._web_plugin.add(provider.id)
                return await self._stream_answer(provider, history, answer, params)
            if tools and _refuses_tools(err) and not answer.content:
                # Said once; this request and the next go without tools.
                self._tools_refused.add(provider.id)
                notice = TOOLS_REFUSED.format(provider=provider.name)
                answer.notice = joined((answer.notice, notice))
                return await self._stream_answer(provider, history, answer, params)
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
            if answer.usage is None and answer.content:  # none came (a stop, an error)
                answer.usage = Usage(
                    prompt_tokens=self._last_prompt,
                    completion_tokens=estimate_tokens(answer.content),
                    estimated=True,
                )
            self.conversation.updated = time.time()
            self._save_answer()
        return []

    # --- tools ---------------------------------------------------------------------------

    async def _prepare_tools(self, answer: ChatMessage) -> None:
        """Start the MCP servers the conversation has on (the first answer that needs one
        waits for it); one that cannot start is said under the answer, the others go on."""
        assert self.toolbox is not None
        self._set_status(self.tr("Starting MCP servers…"))
        problems = await self.toolbox.prepare()
        if problems:
            answer.notice = joined((answer.notice, *problems))

    def _calls_of(
        self, provider: Provider, answer: ChatMessage, calls: list[ToolCall]
    ) -> list[ToolCall]:
        """The answer's calls, recorded on it: the structured ones, else (GLM-4-0414's own
        template) a call written as its text. None are run without a toolbox."""
        if self.toolbox is None or not self.toolbox.tools:
            return []
        calls = [c for c in calls if c.name]
        if not calls:
            from app.core.tools.glm_text import plain_text_call

            found = plain_text_call(answer.content, self.toolbox.tools)
            if found is None:
                return []
            answer.content = found.prose
            args = json.dumps(found.arguments, ensure_ascii=False)
            calls = [ToolCall(index=0, name=found.name, arguments=args)]
            self.reset.emit()  # the call's text leaves the answer shown
        for n, call in enumerate(calls):
            call.id = call.id or f"call_{new_message_id()[:12]}_{n}"
        server_of = self.toolbox.server_of
        answer.tool_calls = [
            ToolCallRecord(
                c.id, c.name, c.arguments, as_text=provider.tools_as_text, server=server_of(c.name)
            )
            for c in calls
        ]
        return calls

    async def _run_calls(self, index: int, answer: ChatMessage, calls: list[ToolCall]) -> None:
        """Run each call in turn and add its result; on Stop, every call still unanswered
        is answered "not run" (and the stop goes on)."""
        assert self.toolbox is not None
        for n, call in enumerate(calls):
            record = answer.tool_calls[n]

            def on_state(state: CallState, record: ToolCallRecord = record, n: int = n) -> None:
                record.state = state.value
                self.toolCallChanged.emit(index, n)
                shown = record.title  # an MCP tool as "server · tool", as on its card
                if state == CallState.WAITING:
                    self._set_status(
                        self.tr("Waiting for your approval: {tool}").format(tool=shown)
                    )
                elif state == CallState.RUNNING:
                    self._set_status(self.tr("Running {tool}…").format(tool=shown))

            def approve(
                call: ToolCall, tool: Tool, plan: WritePlan | None, n: int = n
            ) -> Awaitable[Decision]:
                return self._ask(index, n, plan)

            try:
                outcome = await self.toolbox.run(call, approve, on_state)
            except asyncio.CancelledError:
                results = []
                for rest in answer.tool_calls[n:]:
                    rest.state = CallState.CANCELLED.value
                    results.append(self._add_result(rest.id, NOT_RUN))
                self._save([answer, *results])
                self.toolCallChanged.emit(index, n)
                raise
            record.state, record.seconds = outcome.state.value, outcome.seconds
            record.server, record.images = outcome.server, outcome.images
            if outcome.run is not None:  # run_code: the run, shown with its code
                outcome.run.block = -1 - n
                answer.runs.append(outcome.run)
            if outcome.plan is not None:  # kept for the card, within reason
                diff = outcome.plan.diff
                record.diff = diff if len(diff) <= KEPT_DIFF else diff[:KEPT_DIFF] + "\n…\n"
            self._save([answer, self._add_result(record.id, outcome.result)])
            self.toolCallChanged.emit(index, n)

    def _add_result(self, call_id: str, result: str) -> ChatMessage:
        """A call's result added to the branch shown (the caller saves it)."""
        message = ChatMessage(Role.TOOL, result, tool_call_id=call_id)
        self.messageAdded.emit(self.conversation.add(message))
        return message

    async def _ask(self, index: int, n: int, plan: WritePlan | None) -> Decision:
        self._approval = asyncio.get_running_loop().create_future()
        self.pending_call = self.conversation.messages[index].tool_calls[n]
        self.pending_plan = plan
        try:
            self.approvalRequested.emit(index, n)
            return await self._approval
        finally:
            self._approval, self.pending_call, self.pending_plan = None, None, None

    @property
    def waiting_for_approval(self) -> bool:
        return self._approval is not None and not self._approval.done()

    def decide(self, decision: Decision) -> bool:
        """The user's answer to the call that waits (Allow once, for this conversation,
        Deny); False when none waits."""
        if not self.waiting_for_approval:
            return False
        assert self._approval is not None
        self._approval.set_result(decision)
        return True

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


def _refuses_web_tool(provider: Provider, params: GenerationParams, err: ChatError) -> bool:
    """OpenRouter refusing its `openrouter:web_search` server tool (a 400 that names it)."""
    if not (params.web_search and provider.flavor == Flavor.OPENROUTER) or params.web_plugin:
        return False
    said = f"{err.message} {err.detail}".lower()
    return err.status in (400, 404, 422) and ("web" in said or "server tool" in said)


def _refuses_tools(err: ChatError) -> bool:
    """A server that does not take tools: llama-server without --jinja ("tools param
    requires --jinja flag"), a model or route without function calling (a 400 or 404 that
    names tools)."""
    said = f"{err.message} {err.detail}".lower()
    return err.status in (400, 404, 422) and ("tool" in said or "function" in said)
