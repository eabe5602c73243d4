"""`glm-desk export` / `glm-desk import` as a user runs them (a real subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from app.core.conversation import ChatMessage, Conversation
from app.core.protocol import Role
from app.core.store import HISTORY_FILE, HistoryStore, conversation_record
from tests.app_process import run_glm_desk

KEY = "sk-test-" + os.urandom(8).hex()


def glm_desk(*args: str) -> subprocess.CompletedProcess[str]:
    return run_glm_desk(*args, env={"OPENROUTER_API_KEY": KEY, "ZAI_API_KEY": KEY})


def make_profile(path: Path) -> list[Conversation]:
    path.mkdir()
    store = HistoryStore(path / HISTORY_FILE)
    convs = []
    for n in range(2):
        conv = Conversation(title=f"Topic {n} 主题")
        conv.add(ChatMessage(Role.USER, f"question {n}"))
        conv.add(ChatMessage(Role.ASSISTANT, f"answer {n}\n```py\nprint({n})\n```"))
        store.save(conversation_record(conv), [m.to_dict() for m in conv.nodes.values()])
        convs.append(conv)
    store.close()
    return convs


def test_export_to_stdout_and_import_round_trip(tmp_path):
    convs = make_profile(tmp_path / "a")
    out = glm_desk("export", "--profile", str(tmp_path / "a"))
    assert out.returncode == 0, out.stderr
    records = json.loads(out.stdout)
    assert {r["id"] for r in records} == {c.id for c in convs}
    assert records[0]["messages"][0].keys() >= {"role", "content", "created"}
    assert KEY not in out.stdout

    file = tmp_path / "export.json"
    file.write_text(out.stdout, encoding="utf-8")
    imported = glm_desk("import", str(file), "--profile", str(tmp_path / "b"))
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == "imported 2 conversation(s)"
    again = glm_desk("export", "--profile", str(tmp_path / "b"))
    assert again.stdout == out.stdout
    twice = glm_desk("import", str(file), "--profile", str(tmp_path / "b"))
    assert twice.stdout.strip() == "imported 0 conversation(s), 2 already in the history"


def test_export_one_conversation_as_markdown_to_a_file(tmp_path):
    convs = make_profile(tmp_path / "a")
    target = tmp_path / "one.md"
    res = glm_desk(
        "export",
        "--profile",
        str(tmp_path / "a"),
        "--format",
        "md",
        "--conversation",
        convs[1].id,
        "-o",
        str(target),
    )
    assert res.returncode == 0 and res.stdout == ""
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Topic 1 主题\n") and "print(1)" in text and "print(0)" not in text
    missing = glm_desk("export", "--profile", str(tmp_path / "a"), "--conversation", "nope")
    assert missing.returncode == 1 and "no conversation with id nope" in missing.stderr


def test_import_refuses_files_that_are_not_ours(tmp_path):
    other = tmp_path / "other.json"
    other.write_text('{"chats": []}')
    res = glm_desk("import", str(other), "--profile", str(tmp_path / "p"))
    assert res.returncode == 1
    assert "was not imported: a GLM Desk export is a JSON list of conversations" in res.stderr
    nothing = glm_desk("export", "--profile", str(tmp_path / "empty"))
    assert nothing.returncode == 1 and "there is no history in" in nothing.stderr
