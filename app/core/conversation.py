"""A conversation as the user sees it: messages, with the state of each answer."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from enum import StrEnum

from app.core.errors import ChatError
from app.core.protocol import Message, Role, Usage


class AnswerState(StrEnum):
    DONE = "done"
    STREAMING = "streaming"
    STOPPED = "stopped"  # the user pressed Stop: what arrived is kept
    ERROR = "error"  # failed; what arrived (if anything) is kept


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


@dataclass
class Conversation:
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    title: str = ""
    messages: list[ChatMessage] = field(default_factory=list)

    def add(self, message: ChatMessage) -> int:
        self.messages.append(message)
        if not self.title and message.role == Role.USER:
            self.title = title_from(message.content)
        return len(self.messages) - 1

    def wire_messages(self, system_prompt: str = "") -> list[Message]:
        """The history to send: what is shown, less answers with no text and answers
        superseded by a retry (an answer directly followed by another answer)."""
        out = [Message(Role.SYSTEM, system_prompt)] if system_prompt else []
        msgs = self.messages
        for i, m in enumerate(msgs):
            if m.role == Role.ASSISTANT:
                superseded = i + 1 < len(msgs) and msgs[i + 1].role == Role.ASSISTANT
                if not m.content or superseded:
                    continue
            out.append(Message(m.role, m.content))
        return out


def title_from(text: str, limit: int = 32) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
