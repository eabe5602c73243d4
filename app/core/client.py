"""Streaming chat client over one shared httpx.AsyncClient per endpoint."""

from __future__ import annotations

import asyncio
import functools
import logging
import random
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import aclosing
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from app.core.errors import (
    ChatError,
    ErrorKind,
    error_from_http,
    error_from_stream_chunk,
    make_error,
)
from app.core.i18n import QT_TRANSLATE_NOOP
from app.core.protocol import (
    ErrorChunk,
    Finish,
    MalformedChunk,
    Message,
    StreamEvent,
    TextDelta,
    ToolCallDelta,
    parse_chunk,
)
from app.core.providers import GenerationParams, Provider
from app.core.sse import EventTooLarge, SseDecoder

if TYPE_CHECKING:  # httpx is imported on first use: it is not needed for the first frame
    import httpx

log = logging.getLogger(__name__)

ERROR_BODY_LIMIT = 64 * 1024


@dataclass(frozen=True)
class Timeouts:
    """Seconds: to connect, between two reads, to write, to get a pooled connection."""

    connect: float = 10.0
    read: float = 120.0
    write: float = 30.0
    pool: float = 10.0

    def for_httpx(self) -> httpx.Timeout:
        import httpx

        return httpx.Timeout(connect=self.connect, read=self.read, write=self.write, pool=self.pool)


DEFAULT_TIMEOUT = Timeouts()


@dataclass(frozen=True)
class Retrying:
    """The client is about to retry after a retryable failure (no token had arrived)."""

    attempt: int  # the attempt that failed, from 1
    delay: float  # seconds until the next attempt
    error: ChatError


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4  # the first try and up to three retries
    base_delay: float = 1.0
    max_delay: float = 20.0
    max_retry_after: float = 60.0  # a longer Retry-After is left to the user
    jitter: float = 0.25

    def delay(self, attempt: int, retry_after: float | None) -> float | None:
        """Seconds to wait before the next attempt, or None to give up."""
        if attempt >= self.attempts:
            return None
        if retry_after is not None:
            return retry_after if retry_after <= self.max_retry_after else None
        backoff = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return backoff * (1 + random.uniform(0, self.jitter))


@functools.lru_cache(maxsize=1)
def shared_ssl_context() -> ssl.SSLContext:
    """One TLS context (with the CA bundle loaded) for every client. Building it takes
    30-40 ms: the warm-up thread does it at start-up, not the first send on the GUI thread."""
    import httpx

    return httpx.create_ssl_context()


YIELD_AFTER_S = 0.004  # the longest stretch of stream handling before the loop gets a turn


class ClientPool:
    """One httpx.AsyncClient per endpoint origin, opened on first use, closed on quit.

    Loopback endpoints never go through a proxy (trust_env=False, no configured proxy).
    Others use the configured proxy, else the system's (HTTP(S)_PROXY, NO_PROXY).
    """

    def __init__(
        self,
        timeout: Timeouts = DEFAULT_TIMEOUT,
        transport_factory: Callable[[], httpx.AsyncBaseTransport] | None = None,
        proxy: str = "",
    ) -> None:
        self._clients: dict[tuple[str, bool], httpx.AsyncClient] = {}
        self._retired: list[httpx.AsyncClient] = []  # replaced, maybe still streaming
        self._timeout = timeout
        self._transport_factory = transport_factory
        self.proxy = proxy

    def configure(self, proxy: str | None = None, read_timeout: float | None = None) -> None:
        """New network settings, for requests from now on: answers streaming now finish on
        their old connection, which is closed on quit."""
        changed = False
        if proxy is not None and proxy != self.proxy:
            self.proxy, changed = proxy, True
        if read_timeout is not None and read_timeout != self._timeout.read:
            self._timeout = replace(self._timeout, read=read_timeout)
            changed = True
        if changed:
            self._retired.extend(self._clients.values())
            self._clients = {}

    @property
    def timeout(self) -> Timeouts:
        return self._timeout

    def get(self, provider: Provider) -> httpx.AsyncClient:
        parts = urlsplit(provider.base_url)
        key = (f"{parts.scheme}://{parts.netloc}", provider.is_loopback)
        client = self._clients.get(key)
        if client is None or client.is_closed:
            import httpx

            loopback = provider.is_loopback
            client = httpx.AsyncClient(
                verify=shared_ssl_context(),
                timeout=self._timeout.for_httpx(),
                trust_env=not loopback,
                proxy=(self.proxy or None) if not loopback else None,
                transport=self._transport_factory() if self._transport_factory else None,
                follow_redirects=False,
            )
            self._clients[key] = client
        return client

    async def aclose(self) -> None:
        clients = [*self._clients.values(), *self._retired]
        self._clients, self._retired = {}, []
        await asyncio.gather(*(c.aclose() for c in clients), return_exceptions=True)


class ChatClient:
    """Streams one chat completion at a time for one provider.

    `stream()` yields `StreamEvent`s (and `Retrying` notices) and raises `ChatError`.
    Retryable failures are retried with backoff (honouring Retry-After) only while no
    content has arrived; once a token is shown, a failure is final and the partial
    answer stays with the caller. Cancelling the consuming task closes the connection.
    """

    def __init__(
        self,
        provider: Provider,
        http: httpx.AsyncClient,
        api_key: str | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        offline: bool = False,
    ) -> None:
        self.provider = provider
        self.offline = offline  # only loopback endpoints may be asked
        self._http = http
        self._api_key = api_key
        self._retry = retry or RetryPolicy()
        self._sleep = sleep

    def _error(self, kind: ErrorKind, message: str, **fields: object) -> ChatError:
        return make_error(kind, message, self.provider.name, **fields)  # type: ignore[arg-type]

    def _preflight(self) -> None:
        p = self.provider
        if self.offline and not p.is_loopback:
            raise self._error(
                ErrorKind.OFFLINE,
                QT_TRANSLATE_NOOP(
                    "ChatError",
                    "Offline mode is on: nothing is sent to {provider} or any other server off "
                    "this machine.",
                ).format(provider=p.name),
            )
        if not p.base_url:
            raise self._error(
                ErrorKind.MODEL,
                QT_TRANSLATE_NOOP("ChatError", "No base URL is set for {provider}.").format(
                    provider=p.name
                ),
                retryable=False,
            )
        if p.needs_key and not self._api_key:
            names = " or ".join((*p.key_env, "GLM_DESK_API_KEY"))
            err = self._error(
                ErrorKind.AUTH,
                QT_TRANSLATE_NOOP("ChatError", "No API key is set for {provider}.").format(
                    provider=p.name
                ),
            )
            err.action = QT_TRANSLATE_NOOP(
                "ChatError", "Set {names} in the environment, or switch to the local model."
            ).format(names=names)
            raise err

    async def stream(
        self,
        messages: list[Message],
        params: GenerationParams | None = None,
        tools: list[dict[str, object]] | None = None,
    ) -> AsyncIterator[StreamEvent | Retrying]:
        self._preflight()
        body = self.provider.request_body(messages, params, tools)
        attempt = 0
        while True:
            attempt += 1
            got_content = False
            try:
                async for event in self._attempt(body):
                    if isinstance(event, TextDelta | ToolCallDelta):
                        got_content = True
                    yield event
                return
            except ChatError as err:
                if got_content or not err.retryable:
                    raise
                delay = self._retry.delay(attempt, err.retry_after)
                if delay is None:
                    raise
                log.info("retrying %s in %.1f s after: %s", self.provider.id, delay, err.kind)
                yield Retrying(attempt, delay, err)
                await self._sleep(delay)

    async def _attempt(self, body: dict[str, object]) -> AsyncIterator[StreamEvent]:
        import httpx  # cheap here: loaded along with the AsyncClient this client was given

        p = self.provider
        try:
            async with self._http.stream(
                "POST", p.chat_url, json=body, headers=p.headers(self._api_key)
            ) as response:
                if response.status_code >= 400:
                    raw = await self._read_limited(response)
                    raise error_from_http(
                        response.status_code, raw, response.headers, p.name, p.model
                    )
                ctype = response.headers.get("content-type", "")
                if "text/event-stream" not in ctype and "json" in ctype:
                    # A server that ignored stream=true answered with one JSON object.
                    raw = await self._read_limited(response)
                    for event in self._events(raw.decode("utf-8", errors="replace")):
                        yield event
                    return

                finished = False
                async with aclosing(_sse_payloads(response)) as payloads:
                    async for data in payloads:
                        if data.strip() == "[DONE]":
                            return
                        for event in self._events(data):
                            finished = finished or isinstance(event, Finish)
                            yield event
                if not finished:
                    raise self._error(
                        ErrorKind.INTERRUPTED,
                        QT_TRANSLATE_NOOP(
                            "ChatError", "The connection closed before the answer was finished."
                        ),
                        retryable=False,
                    )
        except ChatError:
            raise
        except EventTooLarge as exc:
            raise self._error(
                ErrorKind.PROTOCOL,
                QT_TRANSLATE_NOOP(
                    "ChatError", "{provider} sent data that is not a valid chat stream."
                ).format(provider=p.name),
                retryable=False,
                detail=str(exc),
            ) from exc
        except httpx.TimeoutException as exc:
            if isinstance(exc, httpx.ConnectTimeout):
                text = QT_TRANSLATE_NOOP(
                    "ChatError", "{provider} did not answer in time (connecting)."
                )
            else:
                text = QT_TRANSLATE_NOOP(
                    "ChatError", "{provider} did not answer in time (waiting)."
                )
            raise self._error(ErrorKind.TIMEOUT, text.format(provider=p.name)) from exc
        except httpx.ConnectError as exc:
            host = urlsplit(p.base_url).netloc
            if p.is_loopback:
                err = self._error(
                    ErrorKind.NETWORK,
                    QT_TRANSLATE_NOOP("ChatError", "Nothing is answering at {host}.").format(
                        host=host
                    ),
                    retryable=False,
                )
                err.action = QT_TRANSLATE_NOOP(
                    "ChatError", "Start llama-server (or your local server), or check the URL."
                )
                raise err from exc
            raise self._error(
                ErrorKind.NETWORK,
                QT_TRANSLATE_NOOP("ChatError", "Could not connect to {host}.").format(host=host),
            ) from exc
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            raise self._error(
                ErrorKind.NETWORK,
                QT_TRANSLATE_NOOP("ChatError", "The connection to {provider} dropped.").format(
                    provider=p.name
                ),
            ) from exc
        except httpx.UnsupportedProtocol as exc:
            raise self._error(
                ErrorKind.MODEL,
                QT_TRANSLATE_NOOP("ChatError", "The URL {url} is not a valid http(s) URL.").format(
                    url=repr(p.base_url)
                ),
                retryable=False,
            ) from exc
        except httpx.HTTPError as exc:
            raise self._error(
                ErrorKind.NETWORK,
                QT_TRANSLATE_NOOP("ChatError", "Talking to {provider} failed: {error}.").format(
                    provider=p.name, error=type(exc).__name__
                ),
            ) from exc

    def _events(self, data: str) -> Iterator[StreamEvent]:
        try:
            events = parse_chunk(data)
        except MalformedChunk as exc:
            raise self._error(
                ErrorKind.PROTOCOL,
                QT_TRANSLATE_NOOP(
                    "ChatError", "{provider} sent data that is not a valid chat stream."
                ).format(provider=self.provider.name),
                retryable=False,
                detail=str(exc),
            ) from exc
        for event in events:
            if isinstance(event, ErrorChunk):
                raise error_from_stream_chunk(event.payload, self.provider.name)
            if isinstance(event, Finish) and event.reason in ("network_error", "error"):
                raise self._error(
                    ErrorKind.NETWORK if event.reason == "network_error" else ErrorKind.SERVER,
                    QT_TRANSLATE_NOOP(
                        "ChatError", "{provider} stopped the answer with an error."
                    ).format(provider=self.provider.name),
                    retryable=False,
                )
            yield event

    @staticmethod
    async def _read_limited(response: httpx.Response) -> bytes:
        out = bytearray()
        async for chunk in response.aiter_bytes():
            out += chunk
            if len(out) >= ERROR_BODY_LIMIT:
                break
        return bytes(out)


async def _sse_payloads(response: httpx.Response) -> AsyncIterator[str]:
    decoder = SseDecoder()
    turn = time.perf_counter()
    async for chunk in response.aiter_bytes():
        for sse in decoder.feed(chunk):
            yield sse.data
            # A fast server fills a read with hundreds of events, and handling them all
            # at once (here and in the caller) would hold the event loop for tens of ms.
            if time.perf_counter() - turn > YIELD_AFTER_S:
                await asyncio.sleep(0)
                turn = time.perf_counter()
    for sse in decoder.close():
        yield sse.data
