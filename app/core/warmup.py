"""Loads what the first answer would otherwise load on the GUI thread: for a worker thread."""

from __future__ import annotations

import httpx

from app.core.client import shared_ssl_context
from app.core.highlight import token_runs
from app.core.markdown import parser

# Pygments imports each lexer's module on first use (10-40 ms each).
LANGUAGES = ("python", "javascript", "typescript", "bash", "json", "sql", "c", "cpp", "go")
LANGUAGES += ("rust", "java", "html", "css", "yaml", "toml", "diff", "text")


def warm_up() -> None:
    # The first AsyncClient imports httpx's transport stack (about 17 ms); this one is never
    # used (no connection, so nothing to close).
    httpx.AsyncClient(verify=shared_ssl_context())
    parser().parse("# x\n\n- a\n\n| a |\n|---|\n| 1 |\n\n```\nx\n```\n")
    for language in LANGUAGES:
        token_runs("x = 1\n", language)
