"""kill -9 while an answer streams: every earlier word is on disk, and the answer up to
the last save (at most 250 ms old) is there, marked as interrupted."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.core.conversation import AnswerState, ChatMessage, Conversation
from app.core.protocol import Role
from app.core.store import HISTORY_FILE, HistoryStore, conversation_record
from tests.protocol_servers import ProtocolServer, Reply

ROOT = Path(__file__).resolve().parents[2]
TOKENS = [f"t{i:04d} " for i in range(2000)]
SAVE_WINDOW = 0.25  # the promise: at most this much of the answer is lost
SLACK = 0.15  # delivery from server to app, and the commit itself, on a loaded machine


def earlier_conversation(profile: Path) -> Conversation:
    store = HistoryStore(profile / HISTORY_FILE)
    conv = Conversation(title="Earlier")
    conv.add(ChatMessage(Role.USER, "an earlier question 早些时候"))
    conv.add(ChatMessage(Role.ASSISTANT, "an earlier answer, complete"))
    store.save(conversation_record(conv), [m.to_dict() for m in conv.nodes.values()])
    store.set_meta("session", json.dumps({"tabs": [{"id": conv.id, "top": -1}], "current": 0}))
    store.close()
    return conv


def tokens_sent_before(server: ProtocolServer, moment: float) -> int:
    sent = b"".join(data for at, data in server.sent_log if at <= moment)
    return sum(1 for t in TOKENS if t.strip().encode() in sent)


def kill_mid_answer(
    profile: Path, question: str, after_tokens: int, *extra: str
) -> tuple[int, int]:
    """Start the app on `profile`, ask `question`, SIGKILL it once `after_tokens` tokens of
    the answer are sent. Returns (tokens sent more than SAVE_WINDOW + SLACK before the kill,
    tokens sent before it)."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "OPENROUTER_API_KEY": "test-key",
        "PYTHONPATH": str(ROOT),
    }
    with ProtocolServer("openrouter") as server:
        server.push(Reply(chunks=TOKENS, delay=0.01))  # about 100 tokens/s
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.integration.kill_target",
                str(profile),
                server.base_url,
                question,
                *extra,
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            assert server.wait_for(lambda: tokens_sent_before(server, 1e12) >= after_tokens, 30), (
                proc.stderr.read().decode() if proc.poll() is not None else "no stream"
            )
            killed_at = time.monotonic()
            os.kill(proc.pid, signal.SIGKILL)
            assert proc.wait(10) == -signal.SIGKILL
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
        sure = tokens_sent_before(server, killed_at - SAVE_WINDOW - SLACK)
        total = tokens_sent_before(server, killed_at)
    return sure, total


def check_partial_answer(answer: ChatMessage, sure: int, total: int) -> int:
    """The answer a kill cut off: marked interrupted, a clean prefix of what was sent, no
    more than SAVE_WINDOW (+ SLACK) behind the kill. Returns the tokens saved."""
    assert answer.role == Role.ASSISTANT and answer.state == AnswerState.INTERRUPTED
    saved = len(answer.content.split())
    assert answer.content == "".join(TOKENS[:saved])  # a clean prefix, nothing garbled
    assert saved <= total
    assert saved >= sure, f"only {saved} of the {sure} tokens sent >400 ms before the kill"
    return saved


@pytest.mark.parametrize("after_tokens", [3, random.randint(40, 300)])
def test_sigkill_mid_stream_loses_at_most_the_last_250_ms(tmp_path, after_tokens):
    profile = tmp_path / "profile"
    profile.mkdir()
    earlier = earlier_conversation(profile)
    sure, total = kill_mid_answer(profile, "the question", after_tokens)

    store = HistoryStore(profile / HISTORY_FILE)
    assert store.interrupted == 1
    conv = store.load(earlier.id)
    store.close()
    msgs = conv.messages
    assert [(m.role, m.content, m.state) for m in msgs[:3]] == [
        (Role.USER, "an earlier question 早些时候", AnswerState.DONE),
        (Role.ASSISTANT, "an earlier answer, complete", AnswerState.DONE),
        (Role.USER, "the question", AnswerState.DONE),
    ]
    saved = check_partial_answer(msgs[3], sure, total)
    lost_ms = (total - saved) * 10
    print(f"\nkill -9 after {total} tokens: {saved} saved, ~{lost_ms} ms of stream lost")


KILLS = 20


def everything(store: HistoryStore) -> dict[str, tuple[str, list[tuple[str, str, str, str]]]]:
    """Every conversation: its title and its messages (id, role, content, state) in order."""
    out = {}
    for info in store.list_conversations():
        record = store.conversation_record(info.id)
        assert record is not None
        out[info.id] = (
            record["title"],
            [(m["id"], m["role"], m["content"], m["state"]) for m in record["messages"]],
        )
    return out


@pytest.mark.slow
def test_twenty_sigkills_in_a_row_on_one_profile(tmp_path):
    """One profile, the app started, asked and killed mid-answer 20 times: after each kill
    the database is sound, everything stored before is intact, and the cut-off answer is
    there up to the last save."""
    profile = tmp_path / "profile"
    profile.mkdir()
    earlier_conversation(profile)
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    store = HistoryStore(profile / HISTORY_FILE)
    kept = everything(store)
    store.close()
    lost = []
    for run in range(KILLS):
        question = f"question {run} 问题"
        extra = ["--new-tab"] if run % 3 == 1 else []  # some in conversations of their own
        sure, total = kill_mid_answer(profile, question, rng.randint(3, 200), *extra)

        store = HistoryStore(profile / HISTORY_FILE)
        try:
            assert [tuple(r) for r in store.db.execute("PRAGMA integrity_check")] == [("ok",)]
            assert store.interrupted == 1, f"run {run} (seed {seed})"
            now = everything(store)
            for cid, (title, messages) in kept.items():  # all of it, untouched
                assert now[cid][0] == title, f"run {run} (seed {seed})"
                assert now[cid][1][: len(messages)] == messages, f"run {run} (seed {seed})"
            new = [
                (cid, m)
                for cid, (_title, messages) in now.items()
                for m in messages[len(kept.get(cid, ("", []))[1]) :]
            ]
            assert [(m[1], m[2]) for _cid, m in new[:1]] == [("user", question)]
            assert len(new) == 2 and new[0][0] == new[1][0], f"run {run} (seed {seed})"
            answer = store.load(new[1][0]).nodes[new[1][1][0]]
        finally:
            store.close()
        saved = check_partial_answer(answer, sure, total)
        lost.append((total - saved) * 10)
        kept = now
    assert len(kept) == 1 + len([r for r in range(KILLS) if r % 3 == 1])
    print(f"\n{KILLS} kills (seed {seed}): ms of stream lost per kill {lost}, max {max(lost)}")
