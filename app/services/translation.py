"""Core texts in the user's language.

The core (no Qt) marks what the user may read as `app.core.i18n.Text`: English that
remembers its context, template and arguments. `translated()` looks the template up in the
installed Qt translators and fills the arguments in (themselves translated when they are
Texts); any other string is returned as it is (a server's own message, a file name, or a
text read back from the history database, which stays English).
"""

from __future__ import annotations

import logging
import re

from PySide6.QtCore import QCoreApplication

from app.core.i18n import Text

log = logging.getLogger(__name__)


def translated(text: str) -> str:
    """`text` in the user's language when it is a core `Text`, else unchanged."""
    if not isinstance(text, Text):
        return str(text)
    template = text.template
    if text.context:
        template = QCoreApplication.translate(text.context, template)
    if not text.args and template == text.template:
        return str(text)
    args = {k: translated(v) if isinstance(v, str) else v for k, v in text.args.items()}
    try:
        return template.format(**args)
    except (KeyError, IndexError, ValueError):  # a broken translation: keep the English
        log.warning("translation of %r does not fit its arguments", text.template)
        return str(text)


def exception_text(exc: BaseException) -> str:
    """An exception's message (the core's `Text` when it raised one) in the user's language."""
    if exc.args and isinstance(exc.args[0], Text):
        return translated(exc.args[0])
    return str(exc)


_CJK_GAP = re.compile(r"(?<=[。！？；：）])[ ]+")


def tidy_spaces(text: str) -> str:
    """Sentences joined with a space read right in English; after Chinese punctuation the
    space is dropped."""
    return _CJK_GAP.sub("", text)
