"""An answer asked for as JSON (JSON mode): shown pretty-printed, or its error pointed out.

The stored answer is always the text as it came; this only makes what is shown. A model
may still wrap its JSON in one fenced code block: the block's content is what is checked.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

FENCED = re.compile(r"\A\s*```(?:json)?[ \t]*\n(.*?)\n?```\s*\Z", re.S)


@dataclass(frozen=True)
class JsonCheck:
    pretty: str | None  # the JSON indented, when it is valid
    problem: str = ""  # what is wrong and where, when it is not
    line: int = 0
    column: int = 0


def check(text: str) -> JsonCheck:
    fenced = FENCED.match(text)
    body = fenced.group(1) if fenced else text
    try:
        value = json.loads(body)
    except json.JSONDecodeError as exc:
        return JsonCheck(None, exc.msg, exc.lineno, exc.colno)
    except (ValueError, RecursionError) as exc:
        return JsonCheck(None, str(exc))
    return JsonCheck(json.dumps(value, indent=2, ensure_ascii=False))


def display(text: str) -> str:
    """Markdown for the view: a valid answer as one highlighted JSON block, an invalid one
    as a plain block of its lines."""
    result = check(text)
    shown, language = (text, "") if result.pretty is None else (result.pretty, "json")
    # Invalid, it is shown as written, line by line (the error names a line and column).
    fence = "````" if "```" in shown else "```"
    return f"{fence}{language}\n{shown}\n{fence}"
