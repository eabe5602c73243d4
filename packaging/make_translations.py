"""Update the translation from the code, compile it, and compile it into the Qt resources.

After adding or changing a user-visible text (``self.tr(...)``,
``QCoreApplication.translate(...)``, or ``QT_TRANSLATE_NOOP(...)`` in app/core), run:

    .venv/bin/python packaging/make_translations.py

It runs three steps:

1. ``pyside6-lupdate`` over every .py file under app/: new texts are added to
   resources/translations/glm-desk_zh_CN.ts as unfinished, texts gone from the code are
   dropped (-no-obsolete), and no source locations are written (so a moved line changes
   nothing);
2. ``pyside6-lrelease``: the .ts compiled to resources/translations/glm-desk_zh_CN.qm;
3. resources/resources.qrc (``/i18n`` prefix) compiled into app/resources_rc.py with rcc,
   as packaging/make_icons.py does.

Then translate the new entries: open the .ts in ``.venv/bin/pyside6-linguist``, or edit the
XML (fill ``<translation>`` and remove ``type="unfinished"``), and run this again.
tests/packaging/test_resources.py fails while an entry is unfinished, while the .ts misses a
text of the code, or while the .qm or app/resources_rc.py is stale. ``--check`` runs only
lupdate on a copy and lists what is missing, changing nothing.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"
TRANSLATIONS = ROOT / "resources" / "translations"
LANGUAGES = ("zh_CN",)


def ts_path(language: str) -> Path:
    return TRANSLATIONS / f"glm-desk_{language}.ts"


def qm_path(language: str) -> Path:
    return TRANSLATIONS / f"glm-desk_{language}.qm"


def tool(name: str) -> str:
    exe = Path(sys.executable).with_name(name)
    return str(exe) if exe.exists() else name


def sources() -> list[Path]:
    """The Python files lupdate reads (the compiled resources hold no texts)."""
    return sorted(p for p in APP.rglob("*.py") if p.name != "resources_rc.py")


def lupdate(ts: Path, language: str) -> None:
    cmd = [tool("pyside6-lupdate"), "-silent", "-no-obsolete", "-locations", "none"]
    cmd += ["-source-language", "en", "-target-language", language]
    files = [str(p.relative_to(ROOT)) for p in sources()]
    subprocess.run([*cmd, *files, "-ts", str(ts)], check=True, cwd=ROOT)


def lrelease(ts: Path, qm: Path) -> None:
    cmd = [tool("pyside6-lrelease"), "-silent", "-nounfinished", str(ts), "-qm", str(qm)]
    subprocess.run(cmd, check=True)


def messages(ts: Path) -> dict[tuple[str, str], ET.Element]:
    """(context, source) → the <message> element."""
    out = {}
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            out[(name, message.findtext("source") or "")] = message
    return out


def missing(language: str) -> list[tuple[str, str]]:
    """Texts of the code that the committed .ts lacks (lupdate run on a copy)."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / ts_path(language).name
        shutil.copyfile(ts_path(language), copy)
        lupdate(copy, language)
        return sorted(set(messages(copy)) - set(messages(ts_path(language))))


def compile_resources() -> None:
    spec = importlib.util.spec_from_file_location("make_icons", ROOT / "packaging/make_icons.py")
    assert spec is not None and spec.loader is not None
    make_icons = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_icons)
    make_icons.QRC.write_text(make_icons.qrc_text(), encoding="utf-8")
    make_icons.compile_resources(make_icons.QRC, make_icons.RC_MODULE)


def main(argv: list[str]) -> int:
    if "--check" in argv:
        gaps = [(lang, *m) for lang in LANGUAGES for m in missing(lang)]
        for lang, context, source in gaps:
            print(f"{lang}: missing {context}: {source!r}")
        return 1 if gaps else 0
    TRANSLATIONS.mkdir(parents=True, exist_ok=True)
    for language in LANGUAGES:
        lupdate(ts_path(language), language)
        unfinished = [
            key
            for key, m in messages(ts_path(language)).items()
            if (m.find("translation") is not None)
            and m.find("translation").get("type") == "unfinished"  # type: ignore[union-attr]
        ]
        lrelease(ts_path(language), qm_path(language))
        print(f"{ts_path(language).relative_to(ROOT)}: {len(unfinished)} to translate")
        for context, source in unfinished:
            print(f"  {context}: {source!r}")
    compile_resources()
    print("compiled app/resources_rc.py")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
