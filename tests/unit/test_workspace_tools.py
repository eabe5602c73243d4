"""The workspace tools: hostile paths refused before any I/O, reads paged, writes planned,
approved and backed up."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core.tools.declare import ToolRefused
from app.core.tools.workspace import (
    EDIT_FILE,
    MAX_FILE_BYTES,
    PAGE_LINES,
    READ_FILE,
    WORKSPACE_TOOLS,
    Workspace,
)


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    root = tmp_path / "project"
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text("def main():\n    return 42\n")
    (root / "README.md").write_text("# Project\n")
    (tmp_path / "secret.txt").write_text("outside\n")
    return Workspace(root)


@pytest.mark.parametrize(
    "path",
    [
        "../secret.txt",
        "src/../../secret.txt",
        "..",
        "/etc/passwd",
        "~/.ssh/id_rsa",
        "~",
        "C:\\Windows\\win.ini",
        "\\\\server\\share",
        "src/\0x",
        "",
        "   ",
    ],
)
def test_paths_that_leave_the_workspace_are_refused(ws: Workspace, path: str):
    with pytest.raises(ToolRefused):
        ws.read_file(path)


def test_a_symbolic_link_that_leads_out_is_refused_one_inside_is_followed(ws: Workspace):
    (ws.root / "out").symlink_to(ws.root.parent / "secret.txt")
    (ws.root / "outdir").symlink_to(ws.root.parent)
    (ws.root / "inside").symlink_to(ws.root / "src" / "app.py")
    for path in ("out", "outdir/secret.txt"):
        with pytest.raises(ToolRefused, match="symbolic link"):
            ws.read_file(path)
    assert "return 42" in ws.read_file("inside")
    listing = ws.list_directory(".", depth=2)
    assert "inside" in listing and "out" not in listing.split() and "secret" not in listing


def test_devices_fifos_binaries_and_huge_files_are_not_read(ws: Workspace):
    os.mkfifo(ws.root / "pipe")
    (ws.root / "blob.bin").write_bytes(b"\x7fELF\0\0\1")
    (ws.root / "latin1.txt").write_bytes("caf\xe9\n".encode("latin-1"))
    (ws.root / "big.txt").write_bytes(b"x" * (MAX_FILE_BYTES + 1))
    (ws.root / "dev").symlink_to("/dev/zero")  # outside anyway, and a device
    cases = {
        "pipe": "not a regular file",
        "blob.bin": "binary",
        "latin1.txt": "not UTF-8",
        "big.txt": "MB",
        "dev": "outside",
        "src": "folder",
        "nope.txt": "does not exist",
    }
    for path, why in cases.items():
        with pytest.raises(ToolRefused, match=why):
            ws.read_file(path)


def test_long_files_are_read_in_pages_with_the_total(ws: Workspace):
    (ws.root / "long.txt").write_text("".join(f"line {i}\n" for i in range(1, 1001)))
    first = ws.read_file("long.txt")
    assert first.startswith(f"long.txt, lines 1-{PAGE_LINES} of 1000 (more: start_line=401):")
    assert first.endswith(f"line {PAGE_LINES}")
    middle = ws.read_file("long.txt", start_line=990, end_line=995)
    assert middle.splitlines()[1:] == [f"line {i}" for i in range(990, 996)]
    with pytest.raises(ToolRefused, match="past its end"):
        ws.read_file("long.txt", start_line=1001)


def test_listing_honours_gitignore_and_never_shows_git(ws: Workspace):
    (ws.root / ".git").mkdir()
    (ws.root / ".git" / "config").write_text("[core]\n")
    (ws.root / ".gitignore").write_text("build/\n*.log\n!keep.log\n")
    (ws.root / "build").mkdir()
    (ws.root / "build" / "out.o").write_text("x")
    (ws.root / "debug.log").write_text("x")
    (ws.root / "keep.log").write_text("x")
    listing = ws.list_directory(".", depth=3)
    assert listing.splitlines() == [
        "./",
        "src/",
        "  app.py",
        ".gitignore",
        "keep.log",
        "README.md",
    ]


def test_search_lists_path_line_and_text_and_skips_binaries(ws: Workspace):
    (ws.root / "src" / "util.py").write_text("x = 1\nRETURN_CODE = 42\n")
    (ws.root / "blob.bin").write_bytes(b"return\0")
    hits = ws.search_files("return").splitlines()
    assert hits == ["src/app.py:2: return 42", "src/util.py:2: RETURN_CODE = 42"]
    assert ws.search_files(r"re\w+n 4\d", regex=True, glob="app.py") == "src/app.py:2: return 42"
    assert ws.search_files("nowhere").startswith("No line matches")
    with pytest.raises(ToolRefused, match="not valid"):
        ws.search_files("(", regex=True)


def test_a_write_is_only_a_plan_until_applied_and_keeps_a_backup(ws: Workspace):
    plan = ws.plan_write("src/app.py", "def main():\n    return 43\n")
    assert "-    return 42\n+    return 43" in plan.diff and not plan.creates
    assert (ws.root / "src" / "app.py").read_text() == "def main():\n    return 42\n"  # not yet
    said = ws.apply(plan)
    assert "app.py.bak" in said
    assert (ws.root / "src" / "app.py").read_text().endswith("return 43\n")
    assert (ws.root / "src" / "app.py.bak").read_text().endswith("return 42\n")
    new = ws.plan_write("docs/new.md", "hello\n")
    assert new.creates and new.diff.startswith("--- /dev/null")
    assert ws.apply(new).startswith("Created docs/new.md")
    assert (ws.root / "docs" / "new.md").read_text() == "hello\n"


def test_a_plan_is_not_applied_over_a_file_that_changed_since(ws: Workspace):
    plan = ws.plan_write("README.md", "# New\n")
    (ws.root / "README.md").write_text("# Edited meanwhile\n")
    with pytest.raises(ToolRefused, match="changed since"):
        ws.apply(plan)
    assert (ws.root / "README.md").read_text() == "# Edited meanwhile\n"


def test_writes_under_git_and_outside_are_refused(ws: Workspace):
    (ws.root / ".git").mkdir()
    for path in (".git/config", ".git/hooks/pre-commit", "../escape.txt", "/tmp/x"):
        with pytest.raises(ToolRefused):
            ws.plan_write(path, "x")
    assert not (ws.root / ".git" / "config").exists()


def test_edit_needs_the_old_text_exactly_once(ws: Workspace):
    (ws.root / "twice.py").write_text("a = 1\na = 1\n")
    with pytest.raises(ToolRefused, match="occurs 2 times"):
        ws.plan_edit("twice.py", "a = 1", "a = 2")
    with pytest.raises(ToolRefused, match="does not occur"):
        ws.plan_edit("src/app.py", "return 41", "return 0")
    plan = ws.plan_edit("src/app.py", "return 42", "return 0")
    ws.apply(plan)
    assert (ws.root / "src" / "app.py").read_text() == "def main():\n    return 0\n"


def test_arguments_are_checked_against_each_tools_schema():
    assert READ_FILE.parse_arguments('{"path": "a.py", "start_line": 3}') == {
        "path": "a.py",
        "start_line": 3,
    }
    assert EDIT_FILE.parse_arguments({"path": "a", "old_text": "x", "new_text": "y"})  # Z.AI
    bad = {
        "{": "not valid JSON",
        '{"start_line": 1}': "'path' is missing",
        '{"path": 3}': "must be a string",
        '{"path": "a", "start_line": 0}': "at least 1",
        '{"path": "a", "start_line": true}': "must be an integer",
        '{"path": "a", "mode": "rw"}': "unknown argument 'mode'",
        "[1]": "must be an object",
    }
    for arguments, why in bad.items():
        with pytest.raises(ToolRefused, match=why):
            READ_FILE.parse_arguments(arguments)
    wire = [t.to_wire() for t in WORKSPACE_TOOLS]
    assert [w["function"]["name"] for w in wire] == [
        "read_file",
        "list_directory",
        "search_files",
        "write_file",
        "edit_file",
    ]
    assert all(
        w["type"] == "function" and w["function"]["parameters"]["type"] == "object" for w in wire
    )
