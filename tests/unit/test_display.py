"""The display text: what of a huge message is laid out, folded the same way whole or
streamed, in time linear in the input."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.display import (
    BLOCK_CHARS,
    BLOCK_LINES,
    BRACKETS,
    CODE_LINES,
    LINE_LIMIT,
    MESSAGE_LIMIT,
    SHOWN_BRACKET,
    TABLE_ROWS,
    DisplayFolder,
    display_text,
)
from app.core.markdown import render_blocks


def streamed(text: str, cuts: list[int]) -> str:
    folder = DisplayFolder()
    out, last = [], 0
    for cut in sorted(c % (len(text) + 1) for c in cuts):
        out.append(folder.feed(text[last:cut]))
        last = cut
    out.append(folder.feed(text[last:]))
    return "".join(out) + folder.finish()


def test_ordinary_text_is_shown_as_it_is():
    text = "# Title\n\nSome `code`.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    assert display_text(text) == text
    assert streamed(text, [3, 10, 30]) == text


def test_a_5_mb_line_shows_its_beginning_and_says_how_much_follows():
    text = "start\n" + "x" * 5_000_000 + "\nend\n"
    t0 = time.perf_counter()
    shown = display_text(text)
    assert time.perf_counter() - t0 < 0.5
    assert len(shown) < LINE_LIMIT + 200
    assert shown.startswith("start\n" + "x" * LINE_LIMIT)
    assert f"{5_000_000 - LINE_LIMIT:,} more characters on this line" in shown
    assert shown.endswith("\nend\n")


def test_a_long_table_shows_its_first_rows_then_a_line_saying_how_many_more():
    rows = "".join(f"| {i} | row {i} |\n" for i in range(5000))
    text = "| a | b |\n|---|---|\n" + rows + "After the table.\n"
    shown = display_text(text)
    assert shown.count("\n|") + 1 == TABLE_ROWS  # the header and separator count as rows
    assert f"{5002 - TABLE_ROWS:,} more rows" in shown
    assert shown.endswith("After the table.\n")


def test_a_long_code_block_shows_its_first_lines_and_still_closes():
    code = "".join(f"x_{i} = {i}\n" for i in range(33_000))
    text = "Code:\n\n```python\n" + code + "```\n\nAfter | the code.\n"
    shown = display_text(text)
    body = shown.split("```python\n", 1)[1].split("```\n", 1)[0]
    assert body.count("\n") == CODE_LINES + 1  # the lines shown, then the marker line
    assert body.startswith("x_0 = 0\n") and f"{33_000 - CODE_LINES:,} more lines" in body
    assert shown.endswith("```\n\nAfter | the code.\n")
    # A table inside code is code: no row is left out for it.
    rows = "".join(f"| {i} |\n" for i in range(150))
    assert display_text("```\n" + rows + "```\n") == "```\n" + rows + "```\n"


def test_a_long_run_of_lines_becomes_paragraphs_of_bounded_length():
    text = "".join(f"line {i}\n" for i in range(1000))
    shown = display_text(text)
    paragraphs = shown.rstrip("\n").split("\n\n")
    assert len(paragraphs) == 1000 // BLOCK_LINES
    assert all(p.count("\n") == BLOCK_LINES - 1 for p in paragraphs)
    assert shown.replace("\n\n", "\n") == text  # nothing else changed


def test_a_long_paragraph_is_split_at_a_line_end_after_so_many_characters():
    line = "words and more words " * 10
    text = "\n".join([line] * 300) + "\n"
    shown = display_text(text)
    paragraphs = shown.rstrip("\n").split("\n\n")
    assert len(paragraphs) > 1
    assert max(map(len, paragraphs)) <= BLOCK_CHARS + LINE_LIMIT
    assert shown.replace("\n\n", "\n") == text  # nothing else changed


def test_brackets_past_the_first_of_a_paragraph_are_plain_text_never_in_code():
    # markdown-it tries a link at every unmatched "[" (about 30 µs each): past BRACKETS of
    # them in a paragraph, a character it leaves alone, written back as "[" (the same on
    # screen). Code spans and blocks keep theirs.
    head = "see [the docs](https://example.com) " + "[" * (BRACKETS - 1)
    fresh = "\n\n[fresh](https://x.org)\n"
    text = head + " `a[0][1]` " + "[" * 10 + fresh + "\n```\n" + "[" * 100 + "\n```\n"
    shown = display_text(text)
    assert shown.startswith(head + " `a[0][1]` " + SHOWN_BRACKET * 10 + fresh)
    assert shown.endswith("```\n" + "[" * 100 + "\n```\n")
    assert shown.replace(SHOWN_BRACKET, "[") == text  # nothing else changed
    html = "".join(b.html for b in render_blocks(shown))
    assert SHOWN_BRACKET not in html and html.count("[") == BRACKETS - 1 + 2 + 10
    assert '<a href="https://example.com">the docs</a>' in html
    assert '<a href="https://x.org">fresh</a>' in html  # a new paragraph: links again


def test_a_huge_message_is_cut_at_the_limit_with_a_marker():
    text = "".join(f"line {i} of a long log\n" for i in range(100_000))
    shown = display_text(text)
    assert len(shown) < MESSAGE_LIMIT + 200
    assert shown.startswith(text[:1000]) and "more characters]" in shown


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.lists(
        st.sampled_from(
            ["a", "|", " ", "\n", "x" * 700, "| r |\n", "\n\n", "é中", "```", "~~~\n", "c\n" * 90]
            + ["[" * 30, "`", "``", "\\"]
        ),
        max_size=400,
    ),
    st.lists(st.integers(min_value=0, max_value=10**6), max_size=12),
)
def test_streaming_folds_exactly_as_folding_the_whole(parts, cuts):
    text = "".join(parts)
    assert streamed(text, cuts) == display_text(text)
