"""The user's language: Qt translators for GLM Desk's texts and Qt's own.

`install_translators(app, language)` installs, for Simplified Chinese, our
``:/i18n/glm-desk_zh_CN.qm`` (compiled into app/resources_rc.py) and Qt's ``qtbase_zh_CN.qm``
(standard buttons, the context menu of a line edit, file dialogs). English is the source
language: nothing is loaded, so start-up stays as fast as before. Calling it again replaces
the translators installed before.

A language change takes effect after a restart. Widgets set their texts once, when they are
built, and do not listen for QEvent.LanguageChange; the settings UI should say "takes effect
after restart" and store the choice, and app/main.py installs it before any widget is built.

Core texts (app/core, no Qt) are `app.core.i18n.Text`s; `translated()` (re-exported here from
app/services/translation.py) shows them in the installed language.

Updating the translation after changing texts (one command, documented in its docstring):

    .venv/bin/python packaging/make_translations.py
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from app.services.translation import exception_text, translated

__all__ = [
    "LANGUAGES",
    "exception_text",
    "install_translators",
    "resolve_language",
    "translated",
]

log = logging.getLogger(__name__)

LANGUAGES = ("system", "en", "zh_CN")  # the setting's values
TRANSLATED = ("zh_CN",)  # languages with a .qm of ours
RESOURCE_DIR = ":/i18n"
APP_QM_PREFIX = "glm-desk_"

_language = ["en"]  # what install_translators chose last
_installed: list[QTranslator] = []  # kept referenced: Qt does not own installed translators


class EnglishPlurals(QTranslator):
    """English is the source language, but a count needs its plural: "%n result(s)" reads
    "1 result" or "2 results". No file: the source text's "(s)" is resolved by n."""

    def translate(
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str | None:
        if n >= 0 and "(s)" in source:
            return source.replace("(s)", "" if n == 1 else "s")
        return None  # a null string: no translation, Qt shows the source


def resolve_language(language: str, system: QLocale | None = None) -> str:
    """The language to use: "en" or "zh_CN". "system" follows the system locale (any
    Chinese one gives Simplified Chinese); an unknown value gives English."""
    if language == "system":
        locale = system if system is not None else QLocale.system()
        name = locale.name()  # e.g. "zh_CN", "zh_TW", "en_US", "C"
        return "zh_CN" if name.startswith("zh") else "en"
    return language if language in TRANSLATED else "en"


def current_language() -> str:
    """The language the app is shown in now ("en" or "zh_CN")."""
    return _language[0]


def install_translators(app: QCoreApplication, language: str) -> str:
    """Install the translators for `language` (one of LANGUAGES), removing any installed
    earlier; return the language used ("en" or "zh_CN")."""
    used = resolve_language(language)
    _language[0] = used
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    if used == "en":
        plurals = EnglishPlurals(app)
        app.installTranslator(plurals)
        _installed.append(plurals)
        return used

    from app import resources_rc  # noqa: F401  (registers :/i18n)

    ours = QTranslator(app)
    if ours.load(f"{APP_QM_PREFIX}{used}", RESOURCE_DIR):
        app.installTranslator(ours)
        _installed.append(ours)
    else:
        log.warning("no translation of GLM Desk for %s", used)
    qt = QTranslator(app)
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if qt.load(f"qtbase_{used}", qt_dir):
        app.installTranslator(qt)
        _installed.append(qt)
    else:
        log.info("no Qt translation for %s in %s", used, qt_dir)
    return used
