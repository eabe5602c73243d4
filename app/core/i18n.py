"""Translatable text from the core, without Qt.

The core speaks English: every message it makes is a plain English string, in logs, tests,
exceptions and the history database alike. A message the user may see is also a `Text`: a
`str` (so nothing that reads it changes) that remembers its translation context, its English
template and the values put into it, so that the UI can show it in the user's language:

    message = QT_TRANSLATE_NOOP("ChatError", "Could not connect to {host}.").format(host=host)
    str(message) == "Could not connect to example.org."  # the core's English text
    # the UI: QCoreApplication.translate("ChatError", message.template).format(**message.args)

`QT_TRANSLATE_NOOP(context, text)` is the marker `pyside6-lupdate` collects (both strings must
be literals); `app/services/translation.py` translates a `Text`, and anything else is shown as
it is. Composing Texts with `+` or f-strings gives a plain English string: use `.format()`
with named fields, and `joined()` to put several messages one after another.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


class Text(str):
    """English text that can still be translated: context, template and arguments."""

    context: str
    template: str
    args: Mapping[str, Any]

    def __new__(
        cls,
        value: str,
        context: str = "",
        template: str | None = None,
        args: Mapping[str, Any] | None = None,
    ) -> Text:
        obj = super().__new__(cls, value)
        obj.context = context
        obj.template = value if template is None else template
        obj.args = dict(args or {})
        return obj

    def format(self, *args: object, **kwargs: Any) -> Text:  # type: ignore[override]
        """The template with named fields filled in (positional fields are not allowed:
        a translation may need them in another order)."""
        if args:
            raise TypeError("Text.format takes named fields only")
        return Text(self.template.format(**kwargs), self.context, self.template, kwargs)


def QT_TRANSLATE_NOOP(context: str, source: str) -> Text:
    """Mark `source` for translation under `context`; the value is the English text."""
    return Text(source, context)


def joined(parts: Iterable[str], sep: str = " ") -> Text:
    """Messages one after another (each still translatable); empty ones are left out."""
    kept = [p for p in parts if p]
    template = sep.replace("{", "{{").replace("}", "}}").join(f"{{p{i}}}" for i in range(len(kept)))
    return Text(sep.join(kept), "", template, {f"p{i}": p for i, p in enumerate(kept)})
