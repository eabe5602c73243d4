"""A lighter PySide6 import hook: every module imported after PySide6 is no longer read,
split into lines and kept in memory.

PySide6 asks of each newly imported module whether its source mentions "PySide6" (so that
its `__feature__` switches, snake_case and true_property, apply to modules that use Qt; see
PYSIDE-2029). It asks with `inspect.getsource`, which reads the file through `linecache` and
keeps every line of every module imported: 13 MiB of the app's memory and part of its
start-up. The same question answered from the file's bytes keeps nothing. The app uses no
`__feature__` switch; the answers stay the same either way.
"""

from __future__ import annotations

import linecache
import sys
from types import ModuleType


def lighten_pyside_import_hook() -> bool:
    """Replace PySide6's check once PySide6 is imported; True if it was replaced."""
    feature = sys.modules.get("shibokensupport.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or original is None or getattr(original, "light", False):
        return False

    def uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            return bool(original(module))  # no source file: PySide6's own answer
        try:
            with open(path, "rb") as source:
                return b"PySide6" in source.read()
        except OSError:
            return bool(original(module))

    uses_pyside.light = True  # type: ignore[attr-defined]
    feature._mod_uses_pyside = uses_pyside  # type: ignore[attr-defined]
    linecache.clearcache()  # what it kept of the modules imported so far
    return True
