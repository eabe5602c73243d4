"""`glm-desk ask`: ask GLM-4 from a terminal, with the window's providers, keys, settings,
Offline mode and history, and no Qt (it starts in the time Python and httpx take).

    glm-desk ask [PROMPT] [--provider ID] [--base-url URL] [--model M] [--profile DIR]
                 [--system TEXT | --preset NAME] [--continue | --conversation ID]
                 [--code] [--save DIR] [--json] [--no-history]

Standard input, when it is not a terminal, is added to the question as context. The answer
streams to stdout as it arrives (the Markdown as written); `--code` prints only its code
blocks, `--save DIR` writes them as files (the code pane's Save all names and refusals),
`--json` prints one object (text, code blocks, usage, cost). The exchange goes into the
history unless `--no-history` (the window's sidebar shows it). Ctrl+C stops the answer and
keeps what arrived. Errors go to stderr in the window's words; the exit status says which
kind (`EXIT_CODES`, also in the README).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
from collections.abc import Sequence
from contextlib import aclosing
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from app.core.conversation import AnswerState, ChatMessage, Conversation
from app.core.errors import ChatError, ErrorKind
from app.core.protocol import Role, TextDelta, Usage
from app.core.providers import PROVIDERS, GenerationParams, Provider

if TYPE_CHECKING:  # imported where used: start-up is the time to the first request
    from app.core.client import ChatClient, ClientPool
    from app.core.compare import SideResult
    from app.core.protocol import Message
    from app.core.settings import Settings
    from app.core.store import HistoryStore

# Exit statuses: a script can tell what went wrong.
OK, FAILED, USAGE, NO_KEY, NETWORK, RATE_LIMIT, SERVER, OFFLINE = 0, 1, 2, 3, 4, 5, 6, 7
INTERRUPTED = 130  # Ctrl+C (the partial answer is kept)
EXIT_CODES = {
    ErrorKind.AUTH: NO_KEY,
    ErrorKind.CREDIT: NO_KEY,
    ErrorKind.NETWORK: NETWORK,
    ErrorKind.TIMEOUT: NETWORK,
    ErrorKind.RATE_LIMIT: RATE_LIMIT,
    ErrorKind.QUOTA: RATE_LIMIT,
    ErrorKind.OVERLOADED: SERVER,
    ErrorKind.SERVER: SERVER,
    ErrorKind.PROTOCOL: SERVER,
    ErrorKind.INTERRUPTED: SERVER,
    ErrorKind.LOADING: SERVER,
    ErrorKind.OFFLINE: OFFLINE,
}
STDIN_LIMIT = 1_000_000  # characters of standard input taken as context


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="glm-desk ask",
        description="Ask GLM-4 from the terminal (the app's providers, keys and history).",
        epilog="Exit status: 0 answered, 1 other error, 2 bad arguments, 3 no or wrong API key "
        "(or no credit), 4 network, 5 rate limit or quota, 6 server error, 7 Offline mode "
        "refused a remote provider, 130 stopped by Ctrl+C (the partial answer is kept).",
    )
    ap.add_argument("prompt", nargs="*", help="the question (else only standard input)")
    ap.add_argument("--provider", choices=sorted(PROVIDERS), help="default: the window's choice")
    ap.add_argument("--base-url", metavar="URL", help="override the provider's base URL")
    ap.add_argument("--model", metavar="ID", help="override the provider's model id")
    ap.add_argument("--profile", metavar="DIR", help="the profile (env: GLM_DESK_PROFILE)")
    system = ap.add_mutually_exclusive_group()
    system.add_argument("--system", metavar="TEXT", help="a system prompt for this question")
    system.add_argument("--preset", metavar="NAME", help="a prompt preset's system prompt")
    which = ap.add_mutually_exclusive_group()
    which.add_argument(
        "--continue", dest="continue_", action="store_true", help="go on in the last conversation"
    )
    which.add_argument("--conversation", metavar="ID", help="go on in this conversation")
    ap.add_argument("--code", action="store_true", help="print only the answer's code blocks")
    ap.add_argument("--save", metavar="DIR", help="write the answer's code blocks into DIR")
    ap.add_argument("--json", action="store_true", help="print one JSON object at the end")
    ap.add_argument("--no-history", action="store_true", help="keep nothing in the history")
    ap.add_argument(
        "--compare",
        metavar="A,B",
        help="ask two providers or models at once: PROVIDER[:MODEL][@TEMPERATURE] each, "
        "e.g. zai,local or local@0.2,local@1.0",
    )
    return ap


@dataclass
class Outcome:
    text: str = ""
    state: str = AnswerState.DONE.value
    usage: Usage | None = None
    error: ChatError | None = None
    code_blocks: list[dict[str, str]] = field(default_factory=list)
    saved: list[str] = field(default_factory=list)


class Fail(Exception):
    def __init__(self, message: str, code: int = FAILED) -> None:
        super().__init__(message)
        self.code = code


def run(argv: Sequence[str], stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    # As the window does (app/main.py): httpx's command-line tool (click, rich) is not ours.
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
    ap = parser()
    args = ap.parse_args(list(argv))
    if args.base_url and not args.provider:
        args.provider = "custom"
    if args.provider == "custom" and not args.base_url:
        ap.error("--provider custom needs --base-url URL")
    try:
        question = compose(" ".join(args.prompt), read_context(stdin))
        if not question.strip():
            ap.error("nothing to ask: give a prompt, or pipe something in")
        return asyncio.run(ask(args, question, stdout))
    except Fail as exc:
        print(f"glm-desk: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return INTERRUPTED


def read_context(stdin: TextIO) -> str:
    if stdin.isatty():
        return ""
    try:
        return stdin.read(STDIN_LIMIT + 1)
    except (OSError, UnicodeDecodeError):
        return ""


def compose(prompt: str, context: str) -> str:
    """The question: the prompt, then standard input as a fenced block."""
    if not context.strip():
        return prompt
    cut = len(context) > STDIN_LIMIT
    context = context[:STDIN_LIMIT]
    longest = max((len(r) for r in context.split("\n") if set(r) == {"`"}), default=2)
    fence = "`" * max(3, longest + 1)
    block = f"{fence}\n{context.rstrip()}\n{fence}"
    if cut:
        block += f"\n(standard input was cut at {STDIN_LIMIT:,} characters)"
    return f"{prompt}\n\n{block}" if prompt.strip() else block


def choose_provider(args: argparse.Namespace, settings: Settings) -> Provider:
    provider_id = args.provider or str(settings.get("general.provider") or "") or "zai"
    if provider_id not in PROVIDERS:
        raise Fail(f"unknown provider {provider_id!r}", USAGE)
    provider = settings.apply_to(PROVIDERS[provider_id])
    if args.base_url or args.model:
        provider = provider.with_overrides(base_url=args.base_url, model=args.model)
    return provider


def api_key(provider: Provider, profile: Path) -> str | None:
    """The window's order: the environment first, then the keyring (no session keys here)."""
    found = provider.env_key(os.environ)
    if found:
        return found[1]
    if not provider.needs_key and not provider.secret_id:
        return None
    from app.core.secrets import open_secret_store

    store = open_secret_store(dict(os.environ))
    try:
        return store.get(provider.secret_id)
    except Exception:  # no keyring: the error below says what to set
        return None


def system_prompt(args: argparse.Namespace, profile: Path, params_prompt: str) -> str:
    if args.system is not None:
        return args.system
    if args.preset:
        from app.core.presets import load

        presets = load(profile)
        found = next((p for p in presets if p.name.lower() == args.preset.lower()), None)
        if found is None:
            names = ", ".join(p.name for p in presets)
            raise Fail(f"no preset named {args.preset!r} (there are: {names})", USAGE)
        return found.prompt
    return params_prompt


async def ask(args: argparse.Namespace, question: str, stdout: TextIO) -> int:
    from app.core.profile import resolve_profile
    from app.core.settings import Settings

    profile = resolve_profile(args.profile)
    settings = Settings.in_profile(profile, read_only=True)
    if args.compare:
        return await ask_compare(args, question, stdout, profile, settings)
    provider = choose_provider(args, settings)
    store = None if args.no_history else open_history(profile)
    try:
        conv = start_conversation(store, args)
        conv.add(ChatMessage(Role.USER, question))
        params = settings.generation_params(provider, conv.params)
        system = system_prompt(args, profile, params.system_prompt)
        answer = ChatMessage(
            Role.ASSISTANT,
            state=AnswerState.STREAMING,
            provider_id=provider.id,
            model=provider.model,
        )
        history = conv.wire_messages(system)
        conv.add(answer)
        save(store, conv)
        outcome = await stream(provider, profile, settings, history, params, answer, args, stdout)
        answer.content, answer.usage = outcome.text, outcome.usage
        answer.state = AnswerState(outcome.state)
        answer.error = outcome.error
        save(store, conv)
        finish(outcome, provider, conv, args, stdout, store is not None)
        if outcome.state == AnswerState.STOPPED.value:
            return INTERRUPTED
        if outcome.error is not None:
            return EXIT_CODES.get(outcome.error.kind, FAILED)
        return OK
    finally:
        if store is not None:
            store.close()


def open_history(profile: Path) -> HistoryStore:
    import sqlite3

    from app.core.store import HISTORY_FILE, HistoryStore, StoreError

    profile.mkdir(parents=True, exist_ok=True)
    try:
        # The app may have this history open: WAL lets both write; its streaming answers
        # are not ours to mark interrupted.
        return HistoryStore(profile / HISTORY_FILE, mark_interrupted=False)
    except (StoreError, sqlite3.Error) as exc:
        raise Fail(f"the history cannot be opened: {exc}") from exc


def start_conversation(store: HistoryStore | None, args: argparse.Namespace) -> Conversation:
    if not (args.continue_ or args.conversation):
        return Conversation()
    if store is None:
        raise Fail("--continue and --conversation need the history (not --no-history)", USAGE)
    if args.conversation:
        conv = store.load(args.conversation)
        if conv is None:
            raise Fail(f"no conversation with id {args.conversation}", USAGE)
        return conv
    listed = store.list_conversations()
    if not listed:
        return Conversation()
    latest = max(listed, key=lambda c: c.updated)
    conv = store.load(latest.id)
    return conv if conv is not None else Conversation()


def save(store: HistoryStore | None, conv: Conversation) -> None:
    from app.core.store import conversation_record

    if store is not None:
        store.save(conversation_record(conv), [m.to_dict() for m in conv.messages[-2:]])


async def stream(
    provider: Provider,
    profile: Path,
    settings: Settings,
    history: list[Message],
    params: GenerationParams,
    answer: ChatMessage,
    args: argparse.Namespace,
    stdout: TextIO,
) -> Outcome:
    """Stream the answer to stdout (unless --code or --json); Ctrl+C ends it with what
    arrived."""
    from app.core.client import Retrying
    from app.core.redact import redact

    pool = new_pool(settings)
    client = await client_for(provider, profile, settings, pool)
    outcome = Outcome()
    live = not (args.code or args.json)
    pieces: list[str] = []
    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    stopped = False

    def interrupt() -> None:
        nonlocal stopped
        stopped = True
        if task is not None:
            task.cancel()

    loop.add_signal_handler(signal.SIGINT, interrupt)
    try:
        async with aclosing(client.stream(history, params)) as events:
            async for event in events:
                if isinstance(event, TextDelta):
                    pieces.append(event.text)
                    if live:
                        stdout.write(event.text)
                        stdout.flush()
                elif isinstance(event, Usage):
                    outcome.usage = event
                elif isinstance(event, Retrying):
                    print(
                        f"glm-desk: {redact(event.error.user_text())} Retrying in "
                        f"{event.delay:.0f} s…",
                        file=sys.stderr,
                    )
    except asyncio.CancelledError:
        if not stopped:
            raise
        outcome.state = AnswerState.STOPPED.value
        print("\nglm-desk: stopped; the partial answer is kept.", file=sys.stderr)
    except ChatError as err:
        from app.core.redact import redact_fields

        redact_fields(err, "message", "action", "detail")  # a server may echo the key back
        outcome.error = err
        outcome.state = AnswerState.ERROR.value
        if live and pieces:
            stdout.write("\n")
        print(f"glm-desk: {redact(err.user_text())}", file=sys.stderr)
    finally:
        loop.remove_signal_handler(signal.SIGINT)
        await pool.aclose()
    if live and pieces and not pieces[-1].endswith("\n"):
        stdout.write("\n")
        stdout.flush()
    outcome.text = "".join(pieces)
    if outcome.usage is None and outcome.text:
        from app.core.context import estimate_tokens

        outcome.usage = Usage(completion_tokens=estimate_tokens(outcome.text), estimated=True)
    return outcome


def new_pool(settings: Settings) -> ClientPool:
    from app.core.client import ClientPool, Timeouts

    timeout = float(settings.get("network.timeout"))
    return ClientPool(Timeouts(read=timeout), proxy=str(settings.get("network.proxy")))


async def client_for(
    provider: Provider, profile: Path, settings: Settings, pool: ClientPool
) -> ChatClient:
    """A client with the provider's key (never logged), Offline mode as the settings say."""
    from app.core.client import ChatClient
    from app.core.redact import remember

    key = await asyncio.to_thread(api_key, provider, profile)
    remember(key)
    offline = bool(settings.get("network.offline"))
    return ChatClient(provider, pool.get(provider), api_key=key, offline=offline)


async def ask_compare(
    args: argparse.Namespace, question: str, stdout: TextIO, profile: Path, settings: Settings
) -> int:
    """--compare A,B: both sides stream at once; each is printed when it ends, with its
    measurements, then the diff. Both answers are kept (versions of one answer)."""
    from app.core.compare import (
        BadSide,
        SideResult,
        SideSpec,
        add_answers,
        answer_diff,
        stream_side,
    )
    from app.core.redact import redact, redact_fields

    names = [part for part in args.compare.split(",") if part.strip()]
    if len(names) != 2:
        raise Fail("--compare takes two sides, A,B (for example zai,local)", USAGE)
    try:
        specs = [SideSpec.parse(name) for name in names]
    except BadSide as exc:
        raise Fail(f"--compare: {exc}", USAGE) from exc
    providers = [
        settings.apply_to(PROVIDERS[s.provider_id]).with_overrides(model=s.model or None)
        for s in specs
    ]
    store = None if args.no_history else open_history(profile)
    pool = new_pool(settings)
    try:
        conv = start_conversation(store, args)
        conv.add(ChatMessage(Role.USER, question))
        base = settings.generation_params
        params = [s.params(base(p, conv.params)) for s, p in zip(specs, providers, strict=True)]
        history = conv.wire_messages(system_prompt(args, profile, params[0].system_prompt))
        answers = add_answers(conv, providers)
        results = [SideResult(), SideResult()]
        clients = [await client_for(p, profile, settings, pool) for p in providers]
        tasks = [
            asyncio.ensure_future(stream_side(lambda c=c, pr=pr: c.stream(history, pr), a, r))
            for c, pr, a, r in zip(clients, params, answers, results, strict=True)
        ]
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGINT, lambda: [t.cancel() for t in tasks])
        try:
            await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            loop.remove_signal_handler(signal.SIGINT)
        stopped = any(a.state == AnswerState.STOPPED for a in answers)
        for result, answer in zip(results, answers, strict=True):
            if result.error is not None:
                redact_fields(result.error, "message", "action", "detail")
                answer.error = result.error
        if store is not None:
            from app.core.store import conversation_record

            store.save(
                conversation_record(conv), [m.to_dict() for m in (conv.messages[-2], *answers)]
            )
        labels = [s.label(p) for s, p in zip(specs, providers, strict=True)]
        diff = answer_diff(answers[0], answers[1], "A", "B")
        if args.json:
            sides = [
                {
                    "side": name,
                    "label": label,
                    "provider": provider.id,
                    "model": provider.model,
                    "temperature": spec.temperature,
                    "text": answer.content,
                    "state": answer.state.value,
                    "code_blocks": code_blocks(answer.content),
                    "first_token_s": result.first_token_s,
                    "seconds": round(result.seconds, 3),
                    "tokens": result.tokens,
                    "tokens_per_s": result.tokens_per_s,
                    "cost_usd": result.cost_usd,
                    "error": (
                        {"kind": result.error.kind.value, "message": result.error.user_text()}
                        if result.error
                        else None
                    ),
                }
                for name, label, provider, spec, answer, result in zip(
                    "AB", labels, providers, specs, answers, results, strict=True
                )
            ]
            record = {"compare": sides, "diff": diff, "conversation": conv.id if store else None}
            stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            for name, label, answer, result in zip("AB", labels, answers, results, strict=True):
                stdout.write(f"=== {name}: {label} ===\n{answer.content.rstrip()}\n")
                stdout.write(f"--- {name}: {side_stats(result)}\n\n")
                if result.error is not None:
                    print(f"glm-desk: {name}: {redact(result.error.user_text())}", file=sys.stderr)
            stdout.write("=== diff A → B ===\n" + (diff or "(the same)") + "\n")
        stdout.flush()
        if stopped:
            return INTERRUPTED
        errors = [r.error for r in results if r.error is not None]
        return EXIT_CODES.get(errors[0].kind, FAILED) if errors else OK
    finally:
        await pool.aclose()
        if store is not None:
            store.close()


def side_stats(result: SideResult) -> str:
    """'first token 0.42 s · 35.1 tokens/s · 120 tokens · $0.00001' (or the error)."""
    parts = []
    if result.first_token_s is not None:
        parts.append(f"first token {result.first_token_s:.2f} s")
    if result.tokens_per_s is not None:
        parts.append(f"{result.tokens_per_s:.1f} tokens/s")
    approx = "≈" if result.estimated else ""
    parts.append(f"{approx}{result.tokens} tokens")
    if result.cost_usd is not None:
        parts.append(f"${result.cost_usd:.5f}")
    if result.error is not None:
        parts.append("failed")
    return " · ".join(parts)


def code_blocks(text: str) -> list[dict[str, str]]:
    from app.core.snippets import message_snippets

    message = ChatMessage(Role.ASSISTANT, text)
    return [
        {"language": s.language, "name": s.name, "code": s.code} for s in message_snippets(message)
    ]


def finish(
    outcome: Outcome,
    provider: Provider,
    conv: Conversation,
    args: argparse.Namespace,
    stdout: TextIO,
    kept: bool,
) -> None:
    outcome.code_blocks = code_blocks(outcome.text)
    if args.save:
        outcome.saved = save_code(outcome.code_blocks, Path(args.save))
    if args.code:
        stdout.write("\n\n".join(b["code"].rstrip("\n") for b in outcome.code_blocks))
        if outcome.code_blocks:
            stdout.write("\n")
    if args.json:
        from app.core.usage import answer_cost

        usage = asdict(outcome.usage) if outcome.usage else None
        cost = answer_cost(usage, provider.id, provider.model)
        record = {
            "text": outcome.text,
            "code_blocks": outcome.code_blocks,
            "state": outcome.state,
            "provider": provider.id,
            "model": provider.model,
            "usage": usage,
            "cost_usd": cost.usd,
            "conversation": conv.id if kept else None,
            "saved": outcome.saved,
            "error": (
                {"kind": outcome.error.kind.value, "message": outcome.error.user_text()}
                if outcome.error
                else None
            ),
        }
        stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    stdout.flush()


def save_code(blocks: list[dict[str, str]], folder: Path) -> list[str]:
    """Save all, as the code pane does: names from the answer, never outside the folder."""
    from app.core.snippets import FileRefused, file_text_for, save_all_names, write_files

    if not blocks:
        return []
    names = save_all_names([(b["name"], b["language"]) for b in blocks])
    folder.mkdir(parents=True, exist_ok=True)
    try:
        written = write_files(
            folder, [(n, file_text_for(b["code"])) for n, b in zip(names, blocks, strict=True)]
        )
    except FileRefused as exc:
        raise Fail(str(exc)) from exc
    for path in written:
        print(f"glm-desk: saved {path}", file=sys.stderr)
    return [str(p) for p in written]
