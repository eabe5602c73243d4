"""A conversation as the user sees it: a tree of messages and the branch on screen.

Editing a user message or regenerating an answer adds a sibling; nothing is overwritten.
`messages` is the branch shown, from the first message to the current leaf.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from app.core.errors import ChatError, ErrorKind
from app.core.protocol import Message, Role, Source, ToolCall, Usage
from app.core.runner.record import RunRecord

# The result a call gets when it never ran (the answer was stopped, the app was killed):
# every call is answered, or the next request would be refused by every provider.
NOT_RUN = "This call was not run: the answer was stopped."


class AnswerState(StrEnum):
    DONE = "done"
    STREAMING = "streaming"
    STOPPED = "stopped"  # the user pressed Stop: what arrived is kept
    ERROR = "error"  # failed; what arrived (if anything) is kept
    INTERRUPTED = "interrupted"  # the app ended while it streamed: what was saved is kept


def new_id() -> str:
    """32 random hex digits (as uuid4().hex has, without importing uuid and platform)."""
    return os.urandom(16).hex()


@dataclass
class ToolCallRecord:
    """A call the model made, as the conversation keeps it; its result is the `tool`
    message that follows (`ChatMessage.tool_call_id` == `id`)."""

    id: str
    name: str
    arguments: str  # JSON text, as sent
    state: str = "waiting"  # a CallState value (app.core.tools.toolbox)
    seconds: float = 0.0
    as_text: bool = False  # sent to the model as text (a template that keeps no tool calls)
    diff: str = ""  # a write's change, as the user approved it (unified diff)
    server: str = ""  # the MCP server whose tool it is ("" : one of ours)
    images: list[dict[str, str]] = field(default_factory=list)  # its result's {"mime","data"}

    @property
    def tool(self) -> str:
        """The tool's own name: an MCP tool's without its `SERVER__` prefix."""
        prefix = f"{self.server}__"
        return (
            self.name[len(prefix) :] if self.server and self.name.startswith(prefix) else self.name
        )

    @property
    def title(self) -> str:
        """As cards and the status bar show it: "server · tool" for an MCP tool."""
        return f"{self.server} · {self.tool}" if self.server else self.name

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ToolCallRecord:
        return cls(
            id=str(d.get("id") or ""),
            name=str(d.get("name") or ""),
            arguments=str(d.get("arguments") or ""),
            state=str(d.get("state") or "waiting"),
            seconds=float(d.get("seconds") or 0.0),
            as_text=bool(d.get("as_text")),
            diff=str(d.get("diff") or ""),
            server=str(d.get("server") or ""),
            images=[
                {"mime": str(i.get("mime", "")), "data": str(i.get("data", ""))}
                for i in d.get("images") or []
                if isinstance(i, dict)
            ],
        )


@dataclass
class ChatMessage:
    role: Role
    content: str = ""
    state: AnswerState = AnswerState.DONE
    provider_id: str = ""
    model: str = ""
    error: ChatError | None = None
    notice: str = ""  # e.g. "cut off at the output limit"
    usage: Usage | None = None
    created: float = field(default_factory=time.time)
    id: str = field(default_factory=new_id)
    parent_id: str | None = None
    seq: int = 0  # creation order within the conversation
    tool_calls: list[ToolCallRecord] = field(default_factory=list)  # an answer's calls
    tool_call_id: str = ""  # a tool message: the call it answers
    sources: list[Source] = field(default_factory=list)  # pages a web search found for it
    format: str = ""  # "json": asked for as JSON (JSON mode)
    runs: list[RunRecord] = field(default_factory=list)  # runs of its code blocks, oldest first
    fixes: str = ""  # a Fix it request: the block it asks to fix, "MESSAGE_ID:BLOCK"

    def last_run(self, block: int) -> RunRecord | None:
        return next((r for r in reversed(self.runs) if r.block == block), None)

    def add_sources(self, found: Iterable[Source]) -> bool:
        """Add the sources not known yet (by link); whether any was new."""
        known = {s.link for s in self.sources}
        added = False
        for source in found:
            if source.link not in known:
                known.add(source.link)
                self.sources.append(source)
                added = True
        return added

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able record: the export format's message and the database row alike."""
        return {
            "id": self.id,
            "parent": self.parent_id,
            "role": self.role.value,
            "content": self.content,
            "created": self.created,
            "state": self.state.value,
            "provider": self.provider_id,
            "model": self.model,
            "notice": self.notice,
            "error": _error_to_dict(self.error),
            "usage": dataclasses.asdict(self.usage) if self.usage else None,
            "seq": self.seq,
            **({"tool_calls": [c.to_dict() for c in self.tool_calls]} if self.tool_calls else {}),
            **({"tool_call_id": self.tool_call_id} if self.tool_call_id else {}),
            **({"sources": [x.to_dict() for x in self.sources]} if self.sources else {}),
            **({"format": self.format} if self.format else {}),
            **({"runs": [r.to_dict() for r in self.runs]} if self.runs else {}),
            **({"fixes": self.fixes} if self.fixes else {}),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ChatMessage:
        usage = d.get("usage")
        return cls(
            role=Role(d["role"]),
            content=d["content"],
            state=AnswerState(d.get("state") or "done"),
            provider_id=d.get("provider") or "",
            model=d.get("model") or "",
            error=_error_from_dict(d.get("error")),
            notice=d.get("notice") or "",
            usage=Usage(**usage) if usage else None,
            created=float(d["created"]),
            id=d.get("id") or new_id(),
            parent_id=d.get("parent"),
            seq=int(d.get("seq") or 0),
            tool_calls=[
                ToolCallRecord.from_dict(c)
                for c in d.get("tool_calls") or []
                if isinstance(c, dict)
            ],
            tool_call_id=str(d.get("tool_call_id") or ""),
            sources=_sources(d.get("sources")),
            format="json" if d.get("format") == "json" else "",
            runs=_runs(d.get("runs")),
            fixes=str(d.get("fixes") or "")[:200],
        )


def _renamed_fix(fixes: str, ids: dict[str, str]) -> str:
    """A Fix it request's "MESSAGE_ID:BLOCK" under the message's new id."""
    message_id, _, block = fixes.rpartition(":")
    return f"{ids[message_id]}:{block}" if message_id in ids else ""


def _runs(records: Any) -> list[RunRecord]:
    found = (RunRecord.from_dict(r) for r in records or [] if isinstance(r, dict))
    return [r for r in found if r is not None]


def _sources(records: Any) -> list[Source]:
    """Stored or imported sources; any that is not a web page's is dropped."""
    found = (Source.from_dict(r) for r in records or [] if isinstance(r, dict))
    return [s for s in found if s is not None]


def _error_to_dict(err: ChatError | None) -> dict[str, Any] | None:
    if err is None:
        return None
    return {f.name: getattr(err, f.name) for f in dataclasses.fields(err)}


def _error_from_dict(d: dict[str, Any] | None) -> ChatError | None:
    if not d:
        return None
    known = {f.name for f in dataclasses.fields(ChatError)}
    fields = {k: v for k, v in d.items() if k in known}
    fields["kind"] = ErrorKind(fields.get("kind", "server"))
    fields.setdefault("message", "")
    return ChatError(**fields)


@dataclass
class Conversation:
    id: str = field(default_factory=new_id)
    title: str = ""
    created: float = field(default_factory=time.time)
    updated: float = 0.0
    pinned: bool = False
    params: dict[str, Any] = field(default_factory=dict)  # generation settings of its own
    workspace: str = ""  # the folder its tools may touch ("" : no tools)
    mcp_servers: list[str] | None = None  # the MCP servers it has on (None: those enabled)
    nodes: dict[str, ChatMessage] = field(default_factory=dict)  # every message, every branch
    messages: list[ChatMessage] = field(default_factory=list)  # the branch shown
    _kids: dict[str | None, list[ChatMessage]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _last_seq: int = field(default=-1, init=False, repr=False, compare=False)
    # the version last shown under each parent: switching back returns to that branch
    _shown: dict[str | None, str] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @classmethod
    def from_messages(
        cls, messages: list[ChatMessage], leaf_id: str | None = None, **meta: Any
    ) -> Conversation:
        """Rebuild from stored messages (any order); show the branch ending at leaf_id."""
        conv = cls(**meta)
        for m in sorted(messages, key=lambda m: m.seq):
            conv.nodes[m.id] = m
        for m in conv.nodes.values():
            if m.parent_id is not None and m.parent_id not in conv.nodes:
                m.parent_id = None  # its parent was never saved: attach it to the root
            conv._kids.setdefault(m.parent_id, []).append(m)
            conv._last_seq = max(conv._last_seq, m.seq)
        if leaf_id in conv.nodes:
            conv._show(conv.nodes[leaf_id])
        elif conv.nodes:
            roots = conv.children(None)
            conv._show(roots[-1], descend=True)
        return conv

    @property
    def leaf_id(self) -> str | None:
        return self.messages[-1].id if self.messages else None

    def _next_seq(self) -> int:
        self._last_seq += 1
        return self._last_seq

    def add(self, message: ChatMessage) -> int:
        """Append to the branch shown (after its last message); return its index there."""
        message.parent_id = self.leaf_id
        message.seq = self._next_seq()
        self.updated = max(self.updated, message.created)
        self.nodes[message.id] = message
        self._kids.setdefault(message.parent_id, []).append(message)
        self._shown[message.parent_id] = message.id
        self.messages.append(message)
        if not self.title and message.role == Role.USER:
            self.title = title_from(message.content)
        return len(self.messages) - 1

    def truncate(self, index: int) -> None:
        """Show only the branch before `index` (to add a sibling of the message there)."""
        del self.messages[index:]

    def children(self, parent_id: str | None) -> list[ChatMessage]:
        return list(self._kids.get(parent_id, ()))

    def siblings(self, message: ChatMessage) -> list[ChatMessage]:
        """The versions of this message (itself included), oldest first."""
        return self.children(message.parent_id)

    def _show(self, message: ChatMessage, descend: bool = False) -> None:
        path = [message]
        while path[0].parent_id is not None:
            path.insert(0, self.nodes[path[0].parent_id])
        if descend:
            while kids := self.children(path[-1].id):
                shown = self._shown.get(path[-1].id)
                path.append(next((k for k in kids if k.id == shown), kids[-1]))
        for m in path:
            self._shown[m.parent_id] = m.id
        self.messages = path

    def switch_to(self, message_id: str) -> None:
        """Show the branch through this message, down to the version last shown at each
        step (the newest where none was)."""
        self._show(self.nodes[message_id], descend=True)

    def delete(self, message_id: str) -> list[ChatMessage]:
        """Remove one message; its replies move up to its parent. Return messages changed."""
        gone = self.nodes.pop(message_id)
        moved = self.children(gone.id)
        for child in moved:
            child.parent_id = gone.parent_id
        self._kids.pop(gone.id, None)
        self._kids[gone.parent_id].remove(gone)
        self._kids[gone.parent_id].extend(moved)
        self._kids[gone.parent_id].sort(key=lambda m: m.seq)
        if gone in self.messages:
            self.messages.remove(gone)
        if not self.messages and self.nodes:
            self._show(self.children(None)[-1], descend=True)
        return moved

    def index_of(self, message_id: str) -> int:
        for i, m in enumerate(self.messages):
            if m.id == message_id:
                return i
        return -1

    def copy_with_new_ids(self) -> Conversation:
        """The same conversation under fresh ids (to import a copy beside the original)."""
        ids = {old: new_id() for old in self.nodes}
        messages = [
            dataclasses.replace(
                m,
                id=ids[m.id],
                parent_id=ids.get(m.parent_id) if m.parent_id else None,
                fixes=_renamed_fix(m.fixes, ids),
            )
            for m in self.nodes.values()
        ]
        leaf = ids.get(self.leaf_id) if self.leaf_id else None
        return Conversation.from_messages(
            messages,
            leaf,
            title=self.title,
            created=self.created,
            updated=self.updated,
            pinned=self.pinned,
            params=dict(self.params),
            workspace=self.workspace,
            mcp_servers=list(self.mcp_servers) if self.mcp_servers is not None else None,
        )

    def wire_messages(
        self, system_prompt: str = "", upto: int | None = None, tools_as_text: bool = False
    ) -> list[Message]:
        """The history to send: the branch shown, less answers that have neither text nor
        calls. Every call is followed by its result; one that has none (a stop, a kill)
        gets `NOT_RUN`, and a result whose call is not in the branch is left out, since
        providers refuse a history where the two do not pair. With `tools_as_text` (GLM-4-0414's
        stock template), a call goes as the text the model writes (`name` on a line, then its
        JSON) and its result as an observation."""
        out = [Message(Role.SYSTEM, system_prompt)] if system_prompt else []
        open_calls: list[str] = []  # ids of the last answer's calls still unanswered

        def result(call_id: str, content: str) -> Message:
            if tools_as_text:
                return Message(Role.OBSERVATION, content)
            return Message(Role.TOOL, content, tool_call_id=call_id)

        def close_calls() -> None:
            out.extend(result(cid, NOT_RUN) for cid in open_calls)
            open_calls.clear()

        for m in self.messages[:upto]:
            if m.role == Role.TOOL:
                if m.tool_call_id in open_calls:
                    open_calls.remove(m.tool_call_id)
                    out.append(result(m.tool_call_id, m.content))
                continue
            close_calls()
            if m.role == Role.ASSISTANT and not m.content and not m.tool_calls:
                continue
            if tools_as_text and m.tool_calls:
                written = [f"{c.name}\n{c.arguments}" for c in m.tool_calls]
                out.append(Message(m.role, "\n".join(filter(None, [m.content, *written]))))
            else:
                calls = [
                    ToolCall(index=i, id=c.id, name=c.name, arguments=c.arguments)
                    for i, c in enumerate(m.tool_calls)
                ]
                out.append(Message(m.role, m.content, tool_calls=calls))
            open_calls = [c.id for c in m.tool_calls]
        close_calls()
        return out


def title_from(text: str, limit: int = 32) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
