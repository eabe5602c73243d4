"""Prompt presets: named system prompts, a few shipped for code work, the user's own beside.

Choosing one for a conversation sets that conversation's system prompt (its own setting,
visible in Conversation settings). The shipped ones come in English and Chinese; the user's
live in `presets.json` in the profile and are imported and exported in the same shape:

    {"presets": [{"name": "Review code", "prompt": "You review code …"}]}
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from app.core.settings import MAX_SYSTEM_PROMPT

FILE_NAME = "presets.json"
MAX_NAME = 80


@dataclass(frozen=True)
class Preset:
    name: str
    prompt: str
    shipped: bool = False


_SHIPPED = {
    "en": [
        (
            "Write code",
            "You are a senior software engineer. Write complete, working code for what is "
            "asked: one code block per file, each starting with a comment that names the "
            "file. Prefer the standard library; say which dependencies are needed. After "
            "the code, explain briefly how to run it. If something is unclear, state the "
            "assumption you made.",
        ),
        (
            "Review code",
            "You review code like a careful senior engineer. List real problems first "
            "(bugs, security holes, data loss, race conditions), then design and "
            "readability, each with the line it is about and a concrete fix. Do not praise; "
            "say plainly when something is fine.",
        ),
        (
            "Explain code",
            "Explain the code you are given to a developer new to it: what it does, how the "
            "parts fit together, and anything surprising. Go from the whole to the details; "
            "quote the lines you talk about.",
        ),
        (
            "Write tests",
            "Write tests for the code you are given with the project's test framework "
            "(pytest for Python unless told otherwise): the usual cases, the edge cases and "
            "the failures. Each test checks one behaviour and says so in its name. No "
            "mocks where the real thing is cheap.",
        ),
        (
            "Fix a bug from a traceback",
            "You are given an error message or traceback, and the code. Find the cause "
            "(say which line and why), then give the smallest fix as a complete corrected "
            "code block, and one sentence on how to check that it is fixed.",
        ),
    ],
    "zh": [
        (
            "编写代码",
            "你是一名资深软件工程师。针对需求写出完整、可运行的代码：每个文件一个代码块，"
            "开头用注释写明文件名。优先使用标准库，并说明需要哪些依赖。代码之后简要说明如何运行。"
            "如有不明确之处，写出你所做的假设。",
        ),
        (
            "审查代码",
            "你像一名严谨的资深工程师一样审查代码。先列出真正的问题（缺陷、安全漏洞、数据丢失、"
            "竞态条件），再谈设计和可读性，每一条都指出相关的代码行并给出具体的修改方法。"
            "不要恭维；没有问题时直接说明。",
        ),
        (
            "解释代码",
            "向第一次接触这段代码的开发者解释它：它做什么、各部分如何配合、有哪些出人意料之处。"
            "从整体到细节，并引用你所讲到的代码行。",
        ),
        (
            "编写测试",
            "用项目的测试框架（若无说明，Python 用 pytest）为给出的代码编写测试：覆盖常见情况、"
            "边界情况和错误情况。每个测试只检查一种行为，并在名称中写明。"
            "能用真实对象时不要用 mock。",
        ),
        (
            "根据报错修复缺陷",
            "你会拿到一条错误信息或调用栈，以及相关代码。找出原因（说明是哪一行、为什么），"
            "然后给出最小的修复，写成完整的修正后代码块，并用一句话说明如何确认已修复。",
        ),
    ],
}


def shipped(language: str) -> list[Preset]:
    """The shipped presets in the UI's language (Chinese for zh*, else English)."""
    chosen = _SHIPPED["zh" if language.startswith("zh") else "en"]
    return [Preset(name, prompt, shipped=True) for name, prompt in chosen]


class PresetsError(ValueError):
    """Not a presets file, or a preset without a name or prompt."""


def parse(text: str) -> list[Preset]:
    """The presets of an export (or a plain list of them); PresetsError says what is wrong."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise PresetsError(f"This is not valid JSON ({exc}).") from exc
    items = data.get("presets") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise PresetsError('Expected {"presets": [{"name": …, "prompt": …}]}.')
    out: list[Preset] = []
    for item in items:
        if not isinstance(item, dict):
            raise PresetsError("Each preset is an object with a name and a prompt.")
        name, prompt = str(item.get("name") or "").strip(), str(item.get("prompt") or "")
        if not name or not prompt.strip():
            raise PresetsError("Each preset needs a name and a prompt.")
        out.append(Preset(name[:MAX_NAME], prompt[:MAX_SYSTEM_PROMPT]))
    return out


def to_json(presets: list[Preset]) -> str:
    """The export (and our file): the user's presets, not the shipped ones."""
    items = [{"name": p.name, "prompt": p.prompt} for p in presets if not p.shipped]
    return json.dumps({"presets": items}, indent=2, ensure_ascii=False) + "\n"


def load(profile: Path) -> list[Preset]:
    """The user's presets (none when the file is missing or unreadable)."""
    try:
        return parse((profile / FILE_NAME).read_text(encoding="utf-8"))
    except (OSError, PresetsError):
        return []
