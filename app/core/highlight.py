"""Syntax highlighting with Pygments, without Qt: lexers, token runs and language guessing.

The Qt side (app/ui/syntax.py) turns token types into character formats; the chat view and
the code pane both highlight through `token_runs`.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Pygments loads on first use, not at start-up
    from pygments.lexer import Lexer

TokenRun = tuple[str, Any]  # (text, a pygments.token._TokenType)

# Language guessing for fences that name none. Pygments' own guesser reads short snippets
# badly (it calls a Python function "teratermmacro"), so each common language gets a few line
# patterns; the language whose patterns match most lines wins, if it clearly does.
_SIGNS: dict[str, tuple[str, ...]] = {
    "python": (
        r"^\s*def \w+\(.*\)\s*(->.*)?:\s*$",
        r"^\s*class \w+(\(.*\))?:\s*$",
        r"^\s*(from [\w.]+ )?import \w",
        r"^\s*(if|elif|else|for|while|with|try|except|finally)\b.*:\s*$",
        r"\bself\.\w",
        r"^\s*print\(",
        r"^\s*@\w+",
    ),
    "javascript": (
        r"\b(const|let|var) \w+\s*=",
        r"=>",
        r"\bfunction\s*\w*\s*\(",
        r"console\.log\(",
        r"\brequire\(|^\s*export (default )?",
        r"^\s*import .* from ['\"]",
    ),
    "typescript": (r":\s*(string|number|boolean|void)\b", r"^\s*(export )?interface \w+"),
    "bash": (
        r"^\s*(echo|cd|ls|export|sudo|apt(-get)?|pip3?|npm|git|mkdir|rm|cp|mv|curl|wget|chmod)\b",
        r"^\s*(fi|done|esac)\s*$|;\s*then\s*$|;\s*do\s*$",
        r"\$\{?\w+\}?",
    ),
    "c": (r"^\s*#include\s*[<\"]", r"\bint main\s*\(", r"\bprintf\s*\(", r"\bmalloc\("),
    "cpp": (r"\bstd::", r"\bcout\s*<<", r"^\s*template\s*<", r"^\s*#include\s*<\w+>$"),
    "java": (r"\bpublic (static )?(class|void|final)\b", r"System\.out\.print", r"@Override"),
    "go": (r"^package \w+\s*$", r"^\s*func (\(.*\) )?\w+\(", r":=", r"\bfmt\.\w+\("),
    "rust": (r"^\s*(pub )?fn \w+", r"\blet mut\b", r"\w+!\(", r"^\s*(impl|use|mod) \w"),
    "sql": (
        r"(?i)^\s*(select|insert into|update|delete from|create (table|index)|alter table)\b",
        r"(?i)\b(from|where|join|group by|order by)\b",
    ),
    "html": (r"^\s*<(!doctype|html|head|body|div|span|p|a|ul|li|script|style)\b",),
    "css": (r"^\s*[.#]?[\w-]+(\s*[,>]\s*[.#]?[\w-]+)*\s*\{\s*$", r"^\s*[\w-]+:\s*[^;]+;\s*$"),
    "yaml": (r"^\s*[\w-]+:(\s+[^{;]*)?$", r"^\s*- [\w\"']"),
    "toml": (r"^\[[\w.-]+\]\s*$", r"^[\w-]+\s*=\s*[\"\d\[tf]"),
    "diff": (r"^(---|\+\+\+) \S", r"^@@ .* @@"),
    "docker": (r"^(FROM|RUN|COPY|CMD|ENTRYPOINT|WORKDIR|ENV|EXPOSE)\s",),
}
_SHEBANG = re.compile(r"^#!\S*?(?:/env\s+)?(?P<cmd>[\w.+-]+)")
_SHEBANGS = {"python": "python", "python3": "python", "bash": "bash", "sh": "bash"}
_SHEBANGS["node"] = "javascript"


@lru_cache(maxsize=1)
def _sign_res() -> dict[str, list[re.Pattern[str]]]:
    """The signs compiled, on the first guess (not at start-up)."""
    return {lang: [re.compile(p, re.M) for p in pats] for lang, pats in _SIGNS.items()}


@lru_cache(maxsize=64)
def lexer_for(language: str) -> Lexer:
    """A Pygments lexer for a fence's language name or alias ("" or unknown: plain text)."""
    from pygments.lexers import TextLexer, get_lexer_by_name
    from pygments.util import ClassNotFound

    options = {"stripnl": False, "ensurenl": False}
    try:
        return get_lexer_by_name(language.strip().lower() or "text", **options)
    except ClassNotFound:
        return TextLexer(**options)


@lru_cache(maxsize=128)
def token_runs(code: str, language: str) -> list[TokenRun]:
    """(text, token type) runs covering `code` exactly, adjacent runs of one type merged.
    Cached (a rebuilt view highlights the same blocks again: a page is about 40 messages);
    the list is shared. 128 blocks of at most the chat's highlight limit (6,000 characters)
    bound the cache to a few MiB."""
    runs: list[TokenRun] = []
    for ttype, value in lexer_for(language).get_tokens(code):
        if not value:
            continue
        if runs and runs[-1][1] is ttype:
            runs[-1] = (runs[-1][0] + value, ttype)
        else:
            runs.append((value, ttype))
    return runs


def guess_language(code: str) -> str:
    """The language of a fence that names none, or "" when unsure or when it is not code."""
    shebang = _SHEBANG.match(code)
    if shebang and shebang["cmd"] in _SHEBANGS:
        return _SHEBANGS[shebang["cmd"]]
    stripped = code.strip()
    if stripped[:1] in "{[" and stripped[-1:] in "}]":
        try:
            json.loads(stripped)
            return "json"
        except ValueError:
            pass
    lines = [ln for ln in code.splitlines()[:200] if ln.strip()]
    if not lines:
        return ""
    scores = {
        lang: sum(1 for ln in lines if any(r.search(ln) for r in res))
        for lang, res in _sign_res().items()
    }
    if scores["typescript"]:
        scores["typescript"] += scores["javascript"]
    if scores["cpp"]:
        scores["cpp"] += scores["c"]
    best = max(scores, key=lambda lang: scores[lang])
    ranked = sorted(scores.values(), reverse=True)
    # Most lines must look like the winner, and it must clearly beat the runner-up.
    if ranked[0] >= max(1, len(lines) // 3) and ranked[0] > ranked[1]:
        return best
    return ""
