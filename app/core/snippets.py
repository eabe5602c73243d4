"""The code blocks of a conversation treated as files, without Qt.

A `Snippet` is one fenced block of one answer, with the file name the answer gave it (a
`# file: src/x.py` comment, a bare path comment on the first line, or the fence's info string)
and its language. Snippets that are versions of one another form a `SnippetGroup`: every block
with the same file name, in any answer of any branch, and, for unnamed blocks, the block at the
same index in each regeneration of an answer. File operations (safe names for Save all, backups,
applying a snippet to a file, reading a file to compare) are in app/core/snippet_files.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from app.core.conversation import ChatMessage, Conversation
from app.core.highlight import guess_language
from app.core.markdown import extract_code_blocks
from app.core.protocol import Role
from app.core.snippet_files import (  # noqa: F401  (re-exported: the snippets' file side)
    EXTENSIONS,
    FileRefused,
    apply_with_backup,
    backup_path,
    extension_for,
    file_text_for,
    inside,
    is_binary,
    read_text_file,
    safe_relative_path,
    save_all_names,
    write_files,
    write_text,
)

# A path as models write them: no spaces, no quotes; at least one dot or slash.
_PATH = r"[\w@+~.-]*(?:/[\w@+~.-]+)*"
_OPEN = r"^\s*(?:#|//|--|;|%|/\*+|<!--|\{/\*)\s*"
_CLOSE = r"\s*(?:\*/\}|\*/|-->)?\s*$"
_FILE_COMMENT = re.compile(
    _OPEN + r"(?:file(?:name)?|path)\s*:\s*[`'\"]?(?P<name>" + _PATH + r")[`'\"]?" + _CLOSE,
    re.IGNORECASE,
)
# A first-line comment that is nothing but a path with an extension: "# src/x.py".
_PATH_COMMENT = re.compile(_OPEN + r"(?P<name>" + _PATH + r"\.[A-Za-z][\w]{0,9})" + _CLOSE)
_PREAMBLE = re.compile(r"^\s*(#!|<\?(php|xml)\b|<!doctype\b)", re.IGNORECASE)
_INFO_ATTR = re.compile(
    r"\b(?:title|file(?:name)?|name|path)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|(\S+))"
)
_INFO_PATH = re.compile(r"^" + _PATH + r"$")
# run_code's languages as a fence would name them
RUN_CODE_FENCES = {"python": "python", "javascript": "javascript", "shell": "bash"}


@dataclass(frozen=True)
class Snippet:
    message_id: str
    block_index: int  # among all fenced blocks of the message, as extract_code_blocks counts
    language: str  # the fence's, else the file name's, else a guess; "" when unknown
    code: str
    name: str = ""  # the file name the answer gave it ("src/x.py"), "" when none
    closed: bool = True

    @property
    def key(self) -> tuple[str, int]:
        return (self.message_id, self.block_index)

    @property
    def extension(self) -> str:
        return extension_for(self.language)


@dataclass
class Version:
    snippet: Snippet
    answer: int  # the answer's turn: 1 for the reply to the first question
    shown: bool  # on the branch of the conversation on screen


@dataclass
class SnippetGroup:
    """One file (or one unnamed block) in all the versions the conversation has of it."""

    key: str
    versions: list[Version] = field(default_factory=list)  # oldest first
    current: int = 0  # the default version: the newest one on the branch shown
    order: tuple[int, int] = (0, 0)  # where that version sits on the branch shown

    @property
    def snippet(self) -> Snippet:
        return self.versions[self.current].snippet

    @property
    def title(self) -> str:
        s = self.snippet
        if s.name:
            return s.name
        first = next((ln.strip() for ln in s.code.splitlines() if ln.strip()), "")
        return f"{s.language or 'text'} · {first[:40]}"

    def version_label(self, i: int) -> str:
        v = self.versions[i]
        where = f"answer {v.answer}" + ("" if v.shown else ", another version")
        return f"v{i + 1} · {where}"

    def index_of(self, key: tuple[str, int]) -> int:
        return next((i for i, v in enumerate(self.versions) if v.snippet.key == key), -1)


def language_for_name(name: str) -> str:
    from pygments.lexers import get_lexer_for_filename
    from pygments.util import ClassNotFound

    try:
        lexer = get_lexer_for_filename(name.rsplit("/", 1)[-1])
    except ClassNotFound:
        return ""
    return lexer.aliases[0] if lexer.aliases else ""


def normalize_name(name: str) -> str:
    name = name.strip().strip("`'\"").replace("\\", "/")
    while name.startswith("./"):
        name = name[2:]
    return name


def name_from_info(info: str) -> tuple[str, str]:
    """(language, file name) from a fence's info string: "python src/x.py",
    'python title="x.py"', "python:src/x.py", or just "src/x.py"."""
    words = info.split()
    if not words:
        return "", ""
    language, rest = words[0], info[len(words[0]) :]
    if ":" in language and not language.startswith(("http:", "https:")):
        language, _, tail = language.partition(":")
        rest = tail + " " + rest
    if m := _INFO_ATTR.search(rest):
        return language, normalize_name(next(g for g in m.groups() if g is not None))
    for word in rest.split():
        if _INFO_PATH.match(word) and ("." in word.strip(".") or "/" in word):
            return language, normalize_name(word)
    if _INFO_PATH.match(language) and re.search(r"\w\.[A-Za-z]\w*$|/", language):
        return "", normalize_name(language)  # the info string is just a file name
    return language, ""


def name_from_code(code: str) -> str:
    """A file name from the first line (after a shebang, <?php or <!DOCTYPE): "# file: x.py",
    "// file: x.ts", "<!-- file: a.html -->", "-- file: q.sql", or a comment that is only a
    path ("# src/x.py")."""
    lines = [ln for ln in code.splitlines()[:4] if ln.strip()]
    while lines and _PREAMBLE.match(lines[0]):
        lines = lines[1:]
    if not lines:
        return ""
    if m := _FILE_COMMENT.match(lines[0]) or _PATH_COMMENT.match(lines[0]):
        return normalize_name(m["name"])
    return ""


def message_snippets(message: ChatMessage) -> list[Snippet]:
    """The non-empty code blocks of one message, named and with a language."""
    out: list[Snippet] = []
    for i, block in enumerate(extract_code_blocks(message.content)):
        code = block.code.replace("\r\n", "\n")
        if not code.strip():
            continue
        language, name = name_from_info(block.info.strip())
        name = name or name_from_code(code)
        language = language or (language_for_name(name) if name else "") or guess_language(code)
        out.append(Snippet(message.id, i, language, code, name, block.closed))
    for n, call in enumerate(message.tool_calls):  # files the model wrote or ran with a tool
        args = call_arguments(call.arguments)
        # -1, -2, ...: never a fenced block's index
        if call.name == "run_code" and call.state in ("done", "failed"):
            if isinstance(args.get("code"), str):
                language = str(args.get("language") or "")
                fence = RUN_CODE_FENCES.get(language, language)
                out.append(Snippet(message.id, -1 - n, fence, args["code"]))
        elif call.name == "write_file" and call.state == "done":
            if isinstance(args.get("content"), str):
                path = str(args.get("path") or "")
                language = language_for_name(path) if path else ""
                out.append(Snippet(message.id, -1 - n, language, args["content"], path))
    return out


def call_arguments(text: str) -> dict:
    """A tool call's arguments as a dict ({} when they are not a JSON object)."""
    try:
        found = json.loads(text)
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def file_name(snippet: Snippet) -> str:
    """The file name a snippet is saved as by default: its hint, else snippet-1.<ext>."""
    return save_all_names([(snippet.name, snippet.language)])[0].name


def _questions_above(conv: Conversation, message_id: str | None, memo: dict[str, int]) -> int:
    """How many questions lead to this message, itself included (memoised: a long
    conversation would otherwise walk its whole history once per answer)."""
    path: list[ChatMessage] = []
    while message_id is not None and message_id not in memo:
        node = conv.nodes.get(message_id)
        if node is None:
            break
        path.append(node)
        message_id = node.parent_id
    n = memo.get(message_id, 0) if message_id is not None else 0
    for node in reversed(path):
        n += node.role == Role.USER
        memo[node.id] = n
    return n


def group_snippets(
    conv: Conversation,
    snippets_of: Callable[[ChatMessage], list[Snippet]] = message_snippets,
) -> list[SnippetGroup]:
    """The snippets of the branch shown, each with its versions from every branch.

    Ordered by where their shown version sits on the branch (the newest code last)."""
    shown = {m.id: i for i, m in enumerate(conv.messages)}
    groups: dict[str, SnippetGroup] = {}
    answers = sorted(
        (
            m
            for m in conv.nodes.values()
            if m.role == Role.ASSISTANT and (m.content or m.tool_calls)
        ),
        key=lambda m: m.seq,
    )
    memo: dict[str, int] = {}
    group_of: dict[tuple[str, int], str] = {}  # a snippet's key -> its group's
    for message in answers:
        snippets = snippets_of(message)
        if not snippets:
            continue
        answer = max(1, _questions_above(conv, message.parent_id, memo))
        fixed = _fixed_group(conv, message, group_of)
        for s in snippets:
            if s.name:
                key = "file:" + s.name
            elif fixed and s.block_index >= 0:
                key, fixed = fixed, ""  # a Fix it answer: its first block is the new version
            else:
                key = f"block:{message.parent_id}:{s.block_index}"
            group_of[s.key] = key
            group = groups.setdefault(key, SnippetGroup(key))
            group.versions.append(Version(s, answer, message.id in shown))
            if message.id in shown:
                group.current = len(group.versions) - 1
                group.order = (shown[message.id], s.block_index)
    listed = [g for g in groups.values() if any(v.shown for v in g.versions)]
    return sorted(listed, key=lambda g: g.order)


def _fixed_group(
    conv: Conversation, answer: ChatMessage, group_of: dict[tuple[str, int], str]
) -> str:
    """The group of the block a Fix it request (the answer's question) asked to fix."""
    question = conv.nodes.get(answer.parent_id or "")
    if question is None or not question.fixes:
        return ""
    message_id, _, block = question.fixes.rpartition(":")
    try:
        return group_of.get((message_id, int(block)), "")
    except ValueError:
        return ""


def unified_diff(old: str, new: str, old_name: str = "a", new_name: str = "b") -> str:
    """A unified diff of two texts ("" when they are equal)."""
    import difflib  # on the first diff, not at start-up

    lines = difflib.unified_diff(
        old.splitlines(), new.splitlines(), old_name, new_name, lineterm=""
    )
    return "\n".join(lines)


def diff_stats(diff: str) -> tuple[int, int]:
    """(lines added, lines removed) in a unified diff."""
    lines = diff.splitlines()
    added = sum(1 for ln in lines if ln.startswith("+") and not ln.startswith("+++"))
    removed = sum(1 for ln in lines if ln.startswith("-") and not ln.startswith("---"))
    return added, removed
