"""Code blocks as files: names, languages, versions, diffs, safe names, backups, binary files."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import pytest

from app.core.conversation import ChatMessage, Conversation
from app.core.markdown import extract_code_blocks
from app.core.protocol import Role
from app.core.snippets import (
    FileRefused,
    apply_with_backup,
    backup_path,
    extension_for,
    file_text_for,
    group_snippets,
    inside,
    is_binary,
    message_snippets,
    name_from_code,
    name_from_info,
    read_text_file,
    safe_relative_path,
    save_all_names,
    unified_diff,
    write_files,
)


def answer(text: str) -> ChatMessage:
    return ChatMessage(Role.ASSISTANT, text)


def fence(code: str, info: str = "") -> str:
    return f"```{info}\n{code}\n```\n"


# --- names and languages --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("# file: src/x.py\nprint(1)", "src/x.py"),
        ("// file: x.ts\nlet a = 1", "x.ts"),
        ("<!-- file: a.html -->\n<p>hi</p>", "a.html"),
        ("-- file: db/schema.sql\nselect 1;", "db/schema.sql"),
        ("/* filename: lib.c */\nint x;", "lib.c"),
        ("# src/x.py\nx = 1", "src/x.py"),
        ("// ./web/app.js\nlet a", "web/app.js"),
        ("#!/usr/bin/env python3\n# tools/run.py\nprint()", "tools/run.py"),
        ("# just a comment\nx = 1", ""),
        ("#include <stdio.h>\nint main;", ""),
        ("x = 1\n# file: late.py", ""),  # only the first line names a file
        ("<?php\n// file: web/index.php\necho 1;", "web/index.php"),
        ("<!DOCTYPE html>\n<!-- index.html -->\n<p>", "index.html"),
        ("# version 1.2\n", ""),
    ],
)
def test_names_from_comments(code, name):
    assert name_from_code(code) == name


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        ("python src/x.py", ("python", "src/x.py")),
        ('python title="x.py"', ("python", "x.py")),
        ("python title='a b.py'", ("python", "a b.py")),
        ("js filename=web/app.js", ("js", "web/app.js")),
        ("python:src/x.py", ("python", "src/x.py")),
        ("src/x.py", ("", "src/x.py")),
        ("python", ("python", "")),
        ("ts {1,3}", ("ts", "")),
        ("", ("", "")),
    ],
)
def test_names_from_fence_info(info, expected):
    assert name_from_info(info) == expected


def test_message_snippets_name_language_and_index():
    text = (
        "Intro\n\n"
        + fence("print('a')", "python app/main.py")
        + "\n"
        + fence("", "python")  # empty: skipped, but still counted by block index
        + fence("def f(x):\n    return x\n")  # no language: guessed
        + fence("# file: util.rs\nfn main() {}")  # named, language from the name
        + fence("<!-- file: index.html -->\n<p>x</p>", "html")
    )
    m = answer(text)
    snippets = message_snippets(m)
    assert len(extract_code_blocks(text)) == 5
    assert [(s.block_index, s.name, s.language) for s in snippets] == [
        (0, "app/main.py", "python"),
        (2, "", "python"),
        (3, "util.rs", "rust"),
        (4, "index.html", "html"),
    ]
    assert all(s.message_id == m.id for s in snippets)
    assert snippets[0].code == "print('a')"


def test_unnamed_fence_without_a_language_is_guessed_or_left_plain():
    bash, prose = message_snippets(answer(fence("sudo apt-get install git\ncd src") + fence("hm")))
    assert bash.language == "bash" and bash.name == ""
    assert prose.language == ""


def test_an_unclosed_fence_is_a_snippet_marked_unfinished():
    (s,) = message_snippets(answer("```python\nprint(1)\n"))
    assert s.code.rstrip("\n") == "print(1)" and not s.closed


def test_extensions_for_languages():
    assert extension_for("python") == "py"
    assert extension_for("TypeScript") == "ts"
    assert extension_for("") == "txt"
    assert extension_for("haskell") == "hs"  # from Pygments' file patterns
    assert extension_for("no-such-language") == "txt"


# --- versions -------------------------------------------------------------------------------


def test_regenerated_answers_are_versions_of_the_same_blocks():
    c = Conversation()
    c.add(ChatMessage(Role.USER, "write it"))
    first = answer(fence("def f():\n    return 1", "python") + fence("echo one", "bash"))
    c.add(first)
    c.truncate(1)  # regenerate: a sibling of the first answer
    second = answer(fence("def f():\n    return 2", "python") + fence("echo two", "bash"))
    c.add(second)
    assert c.siblings(second) == [first, second]

    groups = group_snippets(c)
    assert [len(g.versions) for g in groups] == [2, 2]
    py = groups[0]
    assert [v.snippet.code for v in py.versions] == [
        "def f():\n    return 1",
        "def f():\n    return 2",
    ]
    assert py.current == 1 and py.snippet.message_id == second.id  # the one on screen
    assert [v.shown for v in py.versions] == [False, True]
    assert py.version_label(0) == "v1 · answer 1, another version"
    assert py.index_of((first.id, 0)) == 0

    c.switch_to(first.id)
    groups = group_snippets(c)
    assert groups[0].current == 0 and groups[0].snippet.code.endswith("return 1")


def test_later_answers_rewriting_a_named_file_are_its_versions():
    c = Conversation()
    c.add(ChatMessage(Role.USER, "q1"))
    c.add(answer(fence("# file: app.py\nx = 1", "python") + fence("print('other')", "python")))
    c.add(ChatMessage(Role.USER, "change it"))
    c.add(answer("Here:\n" + fence("x = 2", "python app.py")))

    groups = group_snippets(c)
    titles = [g.title for g in groups]
    assert titles[-1] == "app.py"  # listed once, where its newest version is
    assert len(groups) == 2
    app = groups[-1]
    assert [v.answer for v in app.versions] == [1, 2]
    assert app.snippet.code == "x = 2" and app.current == 1
    assert app.version_label(1) == "v2 · answer 2"


def test_unnamed_blocks_of_later_answers_are_not_versions():
    c = Conversation()
    c.add(ChatMessage(Role.USER, "q1"))
    c.add(answer(fence("x = 1", "python")))
    c.add(ChatMessage(Role.USER, "q2"))
    c.add(answer(fence("x = 2", "python")))
    assert [len(g.versions) for g in group_snippets(c)] == [1, 1]


def test_files_only_on_another_branch_are_not_listed():
    c = Conversation()
    c.add(ChatMessage(Role.USER, "q"))
    c.add(answer(fence("# file: old.py\nx = 1")))
    c.truncate(1)
    c.add(answer("No code this time."))
    assert group_snippets(c) == []


# --- diffs ------------------------------------------------------------------------------------


def test_unified_diff_content():
    diff = unified_diff("a\nb\nc\n", "a\nB\nc\nd\n", "x.py (v1)", "x.py (v2)")
    assert diff.splitlines() == [
        "--- x.py (v1)",
        "+++ x.py (v2)",
        "@@ -1,3 +1,4 @@",
        " a",
        "-b",
        "+B",
        " c",
        "+d",
    ]
    assert unified_diff("same", "same") == ""


# --- saving -----------------------------------------------------------------------------------


def test_save_all_names_keep_subfolders_number_unnamed_and_suffix_duplicates():
    names = save_all_names(
        [
            ("src/x.py", "python"),
            ("", "python"),
            ("", ""),
            ("SRC/X.py", "python"),  # the same file on a case-insensitive disk
            ("src/x.py", "python"),
            ("./notes.md", "markdown"),
            ("snippet-2.py", "python"),  # collides with the unnamed second snippet
        ]
    )
    assert names == [
        PurePosixPath("src/x.py"),
        PurePosixPath("snippet-2.py"),
        PurePosixPath("snippet-3.txt"),
        PurePosixPath("SRC/X-2.py"),
        PurePosixPath("src/x-3.py"),
        PurePosixPath("notes.md"),
        PurePosixPath("snippet-2-2.py"),
    ]


@pytest.mark.parametrize(
    ("hint", "saved_as"),
    [
        ("../../etc/passwd", "passwd"),
        ("src/../../x.py", "x.py"),
        ("/etc/cron.d/evil", "evil"),
        ("C:\\Windows\\evil.bat", "evil.bat"),
        ("..", "snippet-1.sh"),
        ("a/b/..", "snippet-1.sh"),
        ("\\\\server\\share\\x.py", "x.py"),
        ('we<ird>:na"me?.py', "we_ird__na_me_.py"),
    ],
)
def test_save_all_names_never_escape_the_folder(hint, saved_as, tmp_path):
    (name,) = save_all_names([(hint, "bash")])
    assert str(name) == saved_as
    assert not name.is_absolute() and ".." not in name.parts
    (written,) = write_files(tmp_path, [(name, "x")])
    assert written.resolve().is_relative_to(tmp_path.resolve())


def test_safe_relative_path_refuses_traversal_and_absolute_paths():
    assert safe_relative_path("src/x.py") == PurePosixPath("src/x.py")
    assert safe_relative_path("a//./b.py") == PurePosixPath("a/b.py")
    for bad in ("../x", "a/../../x", "/abs", "C:x", "", ".", "./"):
        assert safe_relative_path(bad) is None, bad


def test_write_files_keeps_subfolders_and_refuses_a_symlink_way_out(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    written = write_files(out, [(PurePosixPath("src/x.py"), "x = 1\n")])
    assert written == [(out / "src/x.py").resolve()]
    assert (out / "src" / "x.py").read_text() == "x = 1\n"

    (tmp_path / "elsewhere").mkdir()
    os.symlink(tmp_path / "elsewhere", out / "link")
    with pytest.raises(FileRefused):
        write_files(out, [(PurePosixPath("link/y.py"), "y")])
    assert not (tmp_path / "elsewhere" / "y.py").exists()
    with pytest.raises(FileRefused):
        inside(out, PurePosixPath("../z.py"))


def test_file_text_ends_with_a_newline_and_keeps_crlf():
    assert file_text_for("a\nb") == "a\nb\n"
    assert file_text_for("a\n") == "a\n"
    assert file_text_for("") == ""
    assert file_text_for("a\nb", existing="x\r\ny\r\n") == "a\r\nb\r\n"


# --- applying ---------------------------------------------------------------------------------


def test_backup_names(tmp_path):
    target = tmp_path / "x.py"
    assert backup_path(target) == tmp_path / "x.py.bak"
    (tmp_path / "x.py.bak").write_text("")
    assert backup_path(target) == tmp_path / "x.py.bak.1"
    (tmp_path / "x.py.bak.1").write_text("")
    assert backup_path(target) == tmp_path / "x.py.bak.2"


def test_apply_writes_a_backup_then_the_new_content(tmp_path):
    target = tmp_path / "x.py"
    target.write_bytes(b"old\r\n")
    target.chmod(0o640)
    backup = apply_with_backup(target, "new\n")
    assert backup == tmp_path / "x.py.bak"
    assert backup.read_bytes() == b"old\r\n"
    assert target.read_bytes() == b"new\n"  # exactly: no newline translation
    assert target.stat().st_mode & 0o777 == 0o640

    second = apply_with_backup(target, "newer\n")
    assert second == tmp_path / "x.py.bak.1"
    assert second.read_text() == "new\n" and backup.read_bytes() == b"old\r\n"
    assert target.read_text() == "newer\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.py", "x.py.bak", "x.py.bak.1"]


def test_apply_writes_nothing_when_the_backup_fails(tmp_path, monkeypatch):
    target = tmp_path / "x.py"
    target.write_text("old\n")

    def fail(*_args, **_kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("shutil.copyfileobj", fail)
    with pytest.raises(PermissionError):
        apply_with_backup(target, "new\n")
    assert target.read_text() == "old\n"


def test_apply_through_a_link_changes_the_file_and_keeps_the_link(tmp_path):
    real = tmp_path / "real.py"
    real.write_text("old\n")
    link = tmp_path / "link.py"
    link.symlink_to(real)
    elsewhere = tmp_path / "elsewhere"
    (tmp_path / "real.py.bak").symlink_to(elsewhere)  # a dangling link where a backup would go
    backup = apply_with_backup(link, "new\n")
    assert link.is_symlink() and real.read_text() == "new\n"
    assert backup == tmp_path / "real.py.bak.1" and backup.read_text() == "old\n"
    assert not elsewhere.exists()


def test_new_files_get_the_usual_permissions(tmp_path):
    mask = os.umask(0o022)
    os.umask(mask)
    (written,) = write_files(tmp_path, [(PurePosixPath("a.py"), "x\n")])
    assert written.stat().st_mode & 0o777 == 0o666 & ~mask


def test_save_all_names_strip_hidden_folders_and_cut_long_names():
    names = save_all_names(
        [(".git/hooks/pre-commit", "bash"), ("~/.bashrc", "bash"), ("a" * 300 + ".py", "python")]
    )
    assert names[0] == PurePosixPath("git/hooks/pre-commit")
    assert names[1] == PurePosixPath("_/.bashrc")
    assert len(names[2].name.encode()) == 255 and names[2].suffix == ".py"


# --- reading files to compare -----------------------------------------------------------------


def test_binary_detection():
    assert is_binary(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert is_binary(bytes(range(1, 32)) * 10)
    assert not is_binary(b"plain text\n\twith tabs\r\n")
    assert not is_binary("naïve 中文 text".encode())
    assert not is_binary(b"")


def test_read_text_file_refuses_binary_large_and_non_utf8_files(tmp_path):
    text = tmp_path / "a.py"
    text.write_text("x = 1\n")
    assert read_text_file(text) == "x = 1\n"

    binary = tmp_path / "a.bin"
    binary.write_bytes(b"abc\x00def")
    with pytest.raises(FileRefused, match="binary"):
        read_text_file(binary)

    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.truncate(5 * 1024 * 1024 + 1)  # sparse: checked by size, never read
    with pytest.raises(FileRefused, match="over 5 MB"):
        read_text_file(big)

    latin = tmp_path / "latin.txt"
    latin.write_bytes("café".encode("latin-1"))
    with pytest.raises(FileRefused, match="UTF-8"):
        read_text_file(latin)

    with pytest.raises(FileRefused, match="not a file"):
        read_text_file(tmp_path)
    with pytest.raises(FileRefused, match="cannot be read"):
        read_text_file(tmp_path / "missing.txt")


def test_read_text_file_checks_the_size_before_reading(tmp_path, monkeypatch):
    big = tmp_path / "big.txt"
    big.write_text("x" * 100)
    opened: list[Path] = []
    real_open = Path.open

    def spy(self, *args, **kwargs):
        opened.append(self)
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", spy)
    with pytest.raises(FileRefused):
        read_text_file(big, limit=10)
    assert opened == []


def test_fences_nested_in_lists_keep_their_names_and_the_block_order():
    text = (
        "1. First:\n\n"
        "   ```python src/a.py\n   x = 1\n   ```\n\n"
        "2. Then:\n\n"
        "   ```js\n   // file: web/b.js\n   let b = 2\n   ```\n"
    )
    snippets = message_snippets(answer(text))
    assert len(extract_code_blocks(text)) == 2
    assert [(s.block_index, s.name, s.code) for s in snippets] == [
        (0, "src/a.py", "x = 1"),
        (1, "web/b.js", "// file: web/b.js\nlet b = 2"),
    ]
