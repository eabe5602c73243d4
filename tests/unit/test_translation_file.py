"""The Simplified Chinese translation (resources/translations/glm-desk_zh_CN.ts) is complete,
and every translation keeps its source's placeholders, so `.format()` and %n still fit."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

from app.core.i18n import QT_TRANSLATE_NOOP, Text, joined

TS = Path(__file__).resolve().parents[2] / "resources" / "translations" / "glm-desk_zh_CN.ts"
PLACEHOLDER = re.compile(r"\{[a-z_0-9]*(?:[:!][^{}]*)?\}|%n|%\d+")
CJK = re.compile(r"[\u3400-\u9fff]")
UNTRANSLATED = {
    "MCP",
    "MCP:",
    "JSON",
}  # sources whose translation may be all Latin: the protocol's name


def entries() -> list[tuple[str, str, ET.Element]]:
    out = []
    for context in ET.parse(TS).getroot().iter("context"):
        for message in context.iter("message"):
            out.append((context.findtext("name") or "", message.findtext("source") or "", message))
    return out


def translations(message: ET.Element) -> list[str]:
    node = message.find("translation")
    assert node is not None
    forms = [f.text or "" for f in node.iter("numerusform")]
    return forms or [node.text or ""]


def test_every_entry_is_translated_and_none_is_left_over():
    assert len(entries()) > 100
    for context, source, message in entries():
        node = message.find("translation")
        assert node is not None and node.get("type") is None, (context, source, node.attrib)
        for text in translations(message):
            assert text.strip(), (context, source)


def test_translations_keep_the_placeholders_of_their_source():
    for context, source, message in entries():
        expected = Counter(PLACEHOLDER.findall(source))
        for text in translations(message):
            assert Counter(PLACEHOLDER.findall(text)) == expected, (context, source, text)


def test_translations_keep_accelerators_and_product_names():
    for context, source, message in entries():
        for text in translations(message):
            if re.search(r"&[A-Za-z]", source):
                assert re.search(r"\(&[A-Z]\)|&[A-Za-z]", text), (context, source, text)
            for name in ("GLM Desk", "Z.AI", "OpenRouter", "llama.cpp", "llama-server"):
                if name in source:
                    assert name in text, (context, source, text, name)


def test_translations_are_chinese():
    for context, source, message in entries():
        words = PLACEHOLDER.sub("", source)
        if re.search(r"[A-Za-z]{3}", words) and words.strip(" ·") not in UNTRANSLATED:
            for text in translations(message):
                assert CJK.search(text), (context, source, text)


def test_a_core_text_is_english_and_remembers_how_to_translate_it():
    template = QT_TRANSLATE_NOOP("ChatError", "Could not connect to {host}.")
    message = template.format(host="example.org")
    assert message == "Could not connect to example.org."
    assert isinstance(message, Text) and isinstance(message, str)
    assert (message.context, message.template) == ("ChatError", "Could not connect to {host}.")
    assert message.args == {"host": "example.org"}
    both = joined([message, "", QT_TRANSLATE_NOOP("ChatError", "Retry.")])
    assert both == "Could not connect to example.org. Retry."
    assert both.template == "{p0} {p1}" and both.context == ""
