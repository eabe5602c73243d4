"""Markdown for model output: safe HTML, code blocks, and incremental = full rendering."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from app.core import markdown
from app.core.markdown import CodeBlock, MarkdownStream, render_blocks


def html(text: str) -> str:
    return "".join(b.html for b in render_blocks(text))


def key(blocks: list[markdown.Block]) -> list[tuple[str, CodeBlock | None, int]]:
    return [(b.html, b.code, b.fences) for b in blocks]


def streamed(text: str, cuts: list[int]) -> list[markdown.Block]:
    """Feed `text` in pieces cut at `cuts`, updating after each, as the view does."""
    stream, out, prev = MarkdownStream(), [], 0
    for cut in [*sorted(cuts), len(text)]:
        stream.feed(text[prev:cut])
        prev = cut
        frozen, _tail = stream.update()
        out += frozen
    return out + stream.finish()


FIXTURES = {
    "nested lists": "- one\n- two\n  - two a\n  - two b\n    1. deep\n- three\n\n1. x\n2. y\n",
    "table": "| name | 类型 |\n|:-----|-----:|\n| a | `int` |\n| b | **str** |\n\nafter\n",
    "fence with language": "text\n```python\ndef f():\n    return 1\n```\nmore\n",
    "fence without language": "~~~\nplain <b>not html</b>\n~~~\n",
    "unterminated fence": "intro\n\n```js\nconst a = 1;\nconsole.log(a",
    "html injection": "<script>alert(1)</script>\n\nhi <img src=x onerror=alert(1)> <b>b</b>\n",
    "image links": "![logo](http://127.0.0.1:9/logo.png) and ![](https://example.com/a.png)\n",
    "mixed": (
        "# 标题 Title\n\nA **bold** ~~gone~~ [link](https://example.com) `code`.\n\n"
        "> quote\n\n---\n"
    ),
    "reference": "[docs][1]\n\n[1]: https://example.com\n",
    "lazy and setext": "para\ncontinued\n===\n\n- a\nlazy line\n\n    indented code\n",
}


def test_fixtures_render_as_expected():
    out = html(FIXTURES["nested lists"])
    assert out.count("<ul>") == 2 and "<ol>" in out and "deep" in out
    out = html(FIXTURES["table"])
    assert "<table>" in out and "<th" in out and "<code>int</code>" in out and "类型" in out
    (block,) = [b for b in render_blocks(FIXTURES["fence with language"]) if b.code]
    assert block.code == CodeBlock("python", "def f():\n    return 1", closed=True)
    (block,) = render_blocks(FIXTURES["fence without language"])
    assert block.code == CodeBlock("", "plain <b>not html</b>", closed=True)
    last = render_blocks(FIXTURES["unterminated fence"])[-1]
    assert last.code == CodeBlock("js", "const a = 1;\nconsole.log(a", closed=False)
    out = html(FIXTURES["mixed"])
    assert "<h1>标题 Title</h1>" in out and "<s>gone</s>" in out and "<hr />" in out
    assert '<a href="https://example.com">link</a>' in out and "<blockquote>" in out


def test_raw_html_is_text_and_images_are_links():
    out = html(FIXTURES["html injection"])
    assert "<script" not in out and "<img" not in out and "<b>" not in out
    assert "&lt;script&gt;" in out and "&lt;b&gt;b&lt;/b&gt;" in out
    out = html(FIXTURES["image links"])
    assert "<img" not in out
    assert '<a href="http://127.0.0.1:9/logo.png">[image: logo]</a>' in out
    assert "[image: untitled]" in out


def test_unsafe_link_schemes_are_not_links():
    out = html("[a](javascript:alert(1)) [b](file:///etc/passwd) [c](data:text/html,x)\n")
    assert "href" not in out


def test_reference_definitions_are_plain_text():
    # One at the end of an answer would change blocks rendered (and frozen) long before it.
    out = html(FIXTURES["reference"])
    assert "<a " not in out and "[1]: https://example.com" in out


def test_blocks_keep_the_source_and_count_fences():
    text = "a\n\n- x\n  ```\n  nested\n  ```\n\n```py\ntop\n```\n\ntail"
    blocks = render_blocks(text)
    assert "".join(b.source for b in blocks) == text
    assert [b.fences for b in blocks] == [0, 1, 1, 0]
    assert sum(b.fences for b in blocks) == len(markdown.extract_code_blocks(text))


def test_partial_line_does_not_close_a_block():
    # "#" alone would be an empty heading that ends the paragraph; it becomes "#tag".
    stream = MarkdownStream()
    stream.feed("para line\n#")
    frozen, tail = stream.update()
    assert frozen == []
    stream.feed("tag more\n\nnext\n")
    frozen, _ = stream.update()
    assert [b.html for b in frozen] == ["<p>para line\n#tag more</p>\n"]


def test_closed_fence_is_frozen_at_once_and_open_tail_is_rerendered():
    stream = MarkdownStream()
    stream.feed("```py\nx = 1\n")
    frozen, tail = stream.update()
    assert frozen == [] and tail[0].code == CodeBlock("py", "x = 1", closed=False)
    stream.feed("```\n")
    frozen, tail = stream.update()
    assert [b.code for b in frozen] == [CodeBlock("py", "x = 1", closed=True)] and tail == []


def test_fixtures_streamed_at_random_points_equal_the_full_render():
    rng = random.Random(4)
    for name, text in FIXTURES.items():
        full = key(render_blocks(text))
        for _ in range(60):
            cuts = rng.sample(range(len(text)), rng.randint(0, min(20, len(text))))
            assert key(streamed(text, cuts)) == full, (name, sorted(cuts))
        assert key(streamed(text, list(range(1, len(text))))) == full, name  # every character


LINES = st.sampled_from(
    [
        "",
        "",
        "plain text 中文",
        "**bold** and `code`",
        "# Heading",
        "Setext",
        "===",
        "---",
        "- item",
        "  - nested",
        "1. first",
        "2) second",
        "> quote",
        "lazy continuation",
        "```python",
        "```",
        "~~~",
        "````",
        "    indented",
        "| a | b |",
        "|---|---|",
        "| 1 | 2 |",
        "<div>html</div>",
        "[ref]: https://example.com",
        "![img](http://127.0.0.1/x.png)",
        "\tx = {'a': 1}",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(LINES, max_size=25), st.data())
def test_incremental_render_equals_full_render(lines, data):
    text = "\n".join(lines) + data.draw(st.sampled_from(["", "\n"]))
    cuts = data.draw(st.lists(st.integers(0, len(text)), max_size=12)) if text else []
    assert key(streamed(text, cuts)) == key(render_blocks(text))


def test_streaming_parses_in_linear_time(monkeypatch):
    """Finished blocks are never parsed again: the characters parsed over a whole stream stay
    a small multiple of the answer's length, not its square."""
    text = "".join(f"Paragraph {i} with some words.\n\n```py\nx = {i}\n```\n\n" for i in range(300))
    real = markdown.parser()
    parsed: list[int] = []

    class CountingParser:
        renderer, options = real.renderer, real.options

        def parse(self, source: str) -> list:
            parsed.append(len(source))
            return real.parse(source)

    monkeypatch.setattr(markdown, "parser", CountingParser)
    stream = MarkdownStream()
    for i in range(0, len(text), 4):
        stream.feed(text[i : i + 4])
        stream.update()
    stream.finish()
    assert sum(parsed) < 8 * len(text), (sum(parsed), len(text))
