"""Keys never reach text: redact() hides a known key and any 8-character piece of it."""

from __future__ import annotations

import logging

import pytest

from app.core import redact as r

KEY = "zk-3f9a1c7e5b2d4068a9c1e7f3b5d2a4c6"


@pytest.fixture(autouse=True)
def _fresh():
    r.forget_all()
    yield
    r.forget_all()


def test_nothing_known_nothing_changed():
    text = f"Incorrect API key provided: {KEY}"
    assert r.redact(text) is text


def test_the_key_and_any_piece_of_it_are_hidden():
    r.remember(KEY)
    assert r.redact(f"Incorrect API key provided: {KEY}.") == "Incorrect API key provided: …."
    masked = f"key {KEY[:4]}****{KEY[-8:]} and {KEY[10:18]}"
    out = r.redact(masked)
    assert KEY[-8:] not in out and KEY[10:18] not in out
    for i in range(len(KEY) - 7):
        assert KEY[i : i + 8] not in r.redact(f"x{KEY[i : i + 8]}y")
    plain = "no key here, only words of eight letters"
    assert r.redact(plain) is plain  # untouched text stays the same object


def test_short_values_are_not_hunted():
    r.remember("none")
    r.remember("")
    r.remember(None)
    assert r.redact("none of these") == "none of these"


def test_log_filter_cleans_messages_arguments_and_tracebacks(tmp_path):
    from app.core.profile import setup_logging

    r.remember(KEY)
    log_file = setup_logging(tmp_path, logging.DEBUG)
    log = logging.getLogger("app.test_redact")
    try:
        log.debug("sending with %s", KEY)
        log.info(f"header Bearer {KEY}")
        try:
            raise ValueError(f"server said {KEY}")
        except ValueError:
            log.exception("failed")
    finally:
        root = logging.getLogger()
        for handler in root.handlers[:]:
            if getattr(handler, "baseFilename", "") == str(log_file):
                handler.close()
                root.removeHandler(handler)
    text = log_file.read_text("utf-8")
    assert "sending with …" in text and "header Bearer …" in text and "server said …" in text
    for i in range(len(KEY) - 7):
        assert KEY[i : i + 8] not in text
