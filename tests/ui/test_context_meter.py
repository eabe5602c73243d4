"""The context meter's estimate (cloud providers): against 128K, or 32K for the free
model, growing with the draft, the history counted once per change."""

from __future__ import annotations

from app.core.context import estimate_tokens
from tests.ui.conftest import until


def test_the_estimate_follows_the_draft_and_the_provider(qloop, window):
    meter = window.context_meter
    window.composer.setPlainText("请用中文回答 " + "word " * 100)
    qloop.run_until_complete(until(lambda: meter.used > 0, 5))
    assert meter.used == estimate_tokens(window.composer.toPlainText()) and not meter.exact
    assert meter.label.text() == f"≈{meter.used:,} / 128,000 tokens"
    assert window.providers.select("openrouter-free")
    qloop.run_until_complete(until(lambda: "32,768" in meter.label.text(), 5))
    window.composer.setPlainText("")
    qloop.run_until_complete(until(lambda: meter.used == 0, 5))
