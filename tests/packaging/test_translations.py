"""The translation is up to date with the code and compiled: the .ts holds every text that
lupdate finds in app/, the .qm is a fresh lrelease of it, and install_translators loads it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from PySide6.QtCore import QCoreApplication

ROOT = Path(__file__).resolve().parents[2]


def load(name: str):  # packaging/ is no package (the name belongs to PyPI's `packaging`)
    spec = importlib.util.spec_from_file_location(name, ROOT / "packaging" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_ts_has_every_text_of_the_code():
    make = load("make_translations")
    for language in make.LANGUAGES:
        gaps = make.missing(language)
        assert gaps == [], "run packaging/make_translations.py and translate: " + repr(gaps)


def test_the_ts_has_nothing_unfinished_or_left_over():
    make = load("make_translations")
    for language in make.LANGUAGES:
        text = make.ts_path(language).read_text(encoding="utf-8")
        for kind in ("unfinished", "obsolete", "vanished"):
            assert f'type="{kind}"' not in text, kind


def test_the_qm_is_a_fresh_lrelease_of_the_ts(tmp_path):
    make = load("make_translations")
    for language in make.LANGUAGES:
        fresh = tmp_path / f"{language}.qm"
        make.lrelease(make.ts_path(language), fresh)
        committed = make.qm_path(language).read_bytes()
        assert committed == fresh.read_bytes(), "run packaging/make_translations.py"


def test_the_compiled_resources_hold_the_qm(qapp):
    from app.ui.i18n import install_translators

    make = load("make_translations")
    try:
        assert install_translators(qapp, "zh_CN") == "zh_CN"
        assert QCoreApplication.translate("ChatSession", "Ready") == "就绪"
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"  # Qt's own
    finally:
        assert install_translators(qapp, "en") == "en"
    assert QCoreApplication.translate("ChatSession", "Ready") == "Ready"
    assert make.qm_path("zh_CN").is_file()
