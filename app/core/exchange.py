"""Export and import of conversations: JSON (lossless) and Markdown (for reading).

JSON is a list of conversations, each `{"id", "title", "created", "updated", "pinned",
"current", "messages": [{"id", "parent", "role", "content", "created", "state", ...}]}`.
`messages` holds every branch in creation order; `parent` links an answer to its question
and `current` names the last message of the branch that was on screen. An optional `params`
holds the conversation's own generation settings (temperature, top_p, max_tokens,
system_prompt). Exports carry no app settings and no keys: a record has no field that could
hold one.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from app.core.conversation import AnswerState, Conversation, new_id
from app.core.i18n import QT_TRANSLATE_NOOP
from app.core.protocol import Role
from app.core.runner.record import RunRecord
from app.core.store import HistoryStore, conversation_from_record, conversation_record

FORMATS = ("json", "md")
_ROLES = {r.value for r in Role}
_STATES = {s.value for s in AnswerState}
_ROLE_TITLES = {"user": "You", "assistant": "GLM-4-32B", "system": "System", "tool": "Tool"}


class ImportRefused(ValueError):
    """The file is not a GLM Desk export; the message says why."""


def export_records(store: HistoryStore, conversation_id: str | None = None) -> list[dict[str, Any]]:
    if conversation_id is not None:
        record = store.conversation_record(conversation_id)
        if record is None:
            raise KeyError(f"no conversation with id {conversation_id!r}")
        return [record]
    infos = store.list_conversations()
    return [r for info in infos if (r := store.conversation_record(info.id)) is not None]


def to_json(records: list[dict[str, Any]]) -> str:
    return json.dumps(records, ensure_ascii=False, indent=1) + "\n"


def to_markdown(records: list[dict[str, Any]]) -> str:
    """The branch on screen of each conversation, as a readable document."""
    parts: list[str] = []
    for record in records:
        conv = conversation_from_record(record)
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(conv.created))
        parts.append(f"# {conv.title or 'Untitled'}\n\n_{when}_\n")
        calls: dict[str, str] = {}  # call id -> tool name, for the results' headings
        for m in conv.messages:
            if m.role == Role.TOOL:
                name = calls.get(m.tool_call_id, "a tool")
                parts.append(f"### Result of {name}\n\n{_fenced(m.content)}\n")
                continue
            heading = _ROLE_TITLES.get(m.role.value, m.role.value)
            if m.model:
                heading += f" ({m.model})"
            parts.append(f"## {heading}\n\n{m.content.rstrip()}\n")
            for call in m.tool_calls:
                calls[call.id] = call.name
                parts.append(
                    f"Called `{call.name}` ({call.state}):\n\n{_fenced(call.arguments, 'json')}\n"
                )
            if m.sources:
                listed = "\n".join(
                    f"{n}. [{s.title}]({s.link})"
                    + "".join(f" · {x}" for x in (s.site, s.date) if x)
                    for n, s in enumerate(m.sources, 1)
                )
                parts.append(f"Sources:\n\n{listed}\n")
            for run in m.runs[-MARKDOWN_RUNS:]:
                parts.append(_run_markdown(run))
            if m.state not in (AnswerState.DONE, AnswerState.STREAMING):
                parts.append(f"_({m.state.value})_\n")
    return "\n".join(parts)


MARKDOWN_RUNS = 3  # the last runs of an answer's code in a Markdown export
MARKDOWN_OUTPUT = 4_000  # characters of each run's output there (JSON keeps what was kept)


def _run_markdown(run: RunRecord) -> str:
    what = "the code run by run_code" if run.block < 0 else f"code block {run.block + 1}"
    if run.error:
        ended = run.error
    elif run.stopped:
        ended = "stopped"
    elif run.timed_out:
        ended = "timed out"
    elif run.signal is not None:
        ended = f"killed by signal {run.signal}"
    else:
        ended = f"exit status {run.exit_code}"
    text = run.text()
    shown = text[-MARKDOWN_OUTPUT:]
    note = (
        f" (the last {len(shown):,} of {len(text) + run.cut:,} characters)"
        if len(shown) < len(text) + run.cut
        else ""
    )
    head = f"Ran {what}: `{run.command}` in {run.layer}, {ended}, {run.seconds:.2f} s{note}:"
    return f"{head}\n\n{_fenced(shown, 'text')}\n"


def _fenced(text: str, language: str = "") -> str:
    """text as a fenced block whose fence no line of it can close."""
    longest = max((len(run) for run in re.findall(r"`{3,}", text)), default=2)
    fence = "`" * (longest + 1)
    return f"{fence}{language}\n{text.rstrip()}\n{fence}"


def render(records: list[dict[str, Any]], fmt: str) -> str:
    return to_json(records) if fmt == "json" else to_markdown(records)


def parse_import(text: str) -> list[Conversation]:
    """Check a file is a GLM Desk JSON export and read it; ImportRefused says why not."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRefused(
            QT_TRANSLATE_NOOP("ImportRefused", "it is not JSON ({error} at line {line})").format(
                error=exc.msg, line=exc.lineno
            )
        ) from None
    if not isinstance(data, list):
        raise ImportRefused(
            QT_TRANSLATE_NOOP("ImportRefused", "a GLM Desk export is a JSON list of conversations")
        )
    conversations = []
    for n, record in enumerate(data, 1):
        where = QT_TRANSLATE_NOOP("ImportRefused", "conversation {n}").format(n=n)
        if not isinstance(record, dict):
            raise ImportRefused(
                QT_TRANSLATE_NOOP("ImportRefused", "{where} is not an object").format(where=where)
            )
        for key, kind in (("id", str), ("title", str), ("messages", list)):
            if not isinstance(record.get(key), kind):
                raise ImportRefused(
                    QT_TRANSLATE_NOOP("ImportRefused", "{where} has no {kind} '{key}'").format(
                        where=where, kind=kind.__name__, key=key
                    )
                )
        if not isinstance(record.get("created"), int | float):
            raise ImportRefused(
                QT_TRANSLATE_NOOP("ImportRefused", "{where} has no number 'created'").format(
                    where=where
                )
            )
        for i, m in enumerate(record["messages"], 1):
            at = QT_TRANSLATE_NOOP("ImportRefused", "message {i} of {where}").format(
                i=i, where=where
            )
            if not isinstance(m, dict):
                raise ImportRefused(
                    QT_TRANSLATE_NOOP("ImportRefused", "{where} is not an object").format(where=at)
                )
            if m.get("role") not in _ROLES:
                raise ImportRefused(
                    QT_TRANSLATE_NOOP("ImportRefused", "{where} has an unknown role {role}").format(
                        where=at, role=repr(m.get("role"))
                    )
                )
            if not isinstance(m.get("content"), str):
                raise ImportRefused(
                    QT_TRANSLATE_NOOP("ImportRefused", "{where} has no text 'content'").format(
                        where=at
                    )
                )
            if not isinstance(m.get("created"), int | float):
                raise ImportRefused(
                    QT_TRANSLATE_NOOP("ImportRefused", "{where} has no number 'created'").format(
                        where=at
                    )
                )
            if m.get("state", "done") not in _STATES:
                raise ImportRefused(
                    QT_TRANSLATE_NOOP(
                        "ImportRefused", "{where} has an unknown state {state}"
                    ).format(where=at, state=repr(m.get("state")))
                )
            m.setdefault("seq", i - 1)
            m.setdefault("id", new_id())
        if not any("parent" in m for m in record["messages"]):  # a plain list: one branch
            for before, m in zip([None, *record["messages"]], record["messages"], strict=False):
                m["parent"] = before["id"] if before else None
        try:
            conversations.append(conversation_from_record(record))
        except (KeyError, TypeError, ValueError) as exc:
            raise ImportRefused(
                QT_TRANSLATE_NOOP("ImportRefused", "{where} could not be read ({error})").format(
                    where=where, error=str(exc)
                )
            ) from None
    return conversations


def import_into(store: HistoryStore, conversations: list[Conversation]) -> tuple[int, int]:
    """Add conversations the history does not have yet; return (imported, already there)."""
    imported = skipped = 0
    for conv in conversations:
        if store.conversation_record(conv.id) is not None:
            skipped += 1
            continue
        if store.has_any_message(list(conv.nodes)):  # ids taken by another conversation
            conv = conv.copy_with_new_ids()
        store.save(conversation_record(conv), [m.to_dict() for m in conv.nodes.values()])
        imported += 1
    return imported, skipped
