"""The message view of one conversation tab: streamed answers appended in place.

Each message has a header with its actions (Copy, Edit or Regenerate, Delete) and, when it
has several versions, a "‹ 2/3 ›" switcher. Actions are links the view reports as
`actionRequested(action, message_id)`; the window decides what they do.
"""

from __future__ import annotations

import bisect
import json
import time
from collections import deque
from collections.abc import Callable
from enum import StrEnum

from PySide6.QtCore import QByteArray, QCoreApplication, QEvent, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QDesktopServices,
    QFont,
    QImage,
    QResizeEvent,
    QShowEvent,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QTextBrowser, QWidget

from app.core import json_answer
from app.core.conversation import AnswerState, ChatMessage, Conversation, ToolCallRecord
from app.core.display import DisplayFolder, Markers, display_text
from app.core.errors import PAID_GLM4, ErrorKind
from app.core.i18n import QT_TRANSLATE_NOOP
from app.core.markdown import Block, MarkdownStream, render_blocks
from app.core.protocol import Role
from app.core.sources import has_refs, link_refs
from app.core.usage import format_cost, message_cost
from app.services.translation import tidy_spaces, translated
from app.ui import theme
from app.ui.chat_code_blocks import CodeBlocksMixin
from app.ui.code_actions import CodeBlockActions, JumpToBottom
from app.ui.rich_text import BlockWriter
from app.ui.syntax import code_font

SCHEME = "glmdesk"
RETRY_URL = f"{SCHEME}:retry"
EARLIER_URL = f"{SCHEME}:earlier"
TOOL_URL = f"{SCHEME}:tool/"  # + a tool message's id: show all of its result, or less
RESULT_LINES = 6  # lines of a tool's result shown until the card is opened
IMAGE_WIDTH = 480  # pixels: a tool's image wider than this is shown scaled down
SWITCH_LOCAL_URL = f"{SCHEME}:switch-local"
SWITCH_PAID_URL = f"{SCHEME}:switch-paid"  # the free GLM-4 is gone or used up: the paid one
PAGE = 40  # messages laid out when a conversation opens; earlier ones come on scrolling up
INTERRUPTED_TEXT = QT_TRANSLATE_NOOP(
    "ChatView", "⚠ Interrupted: GLM Desk ended before this answer was finished."
)
TAIL_BACKOFF = 3.0  # the open tail is laid out again at most this many times its cost apart
TAIL_COST_FREE = 0.008  # ... once laying it out costs more than this (seconds)
RENDER_SLICE_S = 0.006  # rendering runs about this long, then the event loop gets a turn
LINK_SCHEMES = ("http", "https", "mailto")  # what a click may open in the system browser


class MessageAction(StrEnum):
    """What the links under a message ask for (the URL's path is `<action>/<message id>`)."""

    COPY = "copy"
    EDIT = "edit"
    REGENERATE = "regenerate"
    TRIM = "trim"  # the model said the conversation is too long: ask with less of it
    CONTINUE = "continue"
    DELETE = "delete"
    PREVIOUS = "previous"  # version
    NEXT = "next"


def action_url(action: MessageAction | str, message_id: str) -> str:
    return f"{SCHEME}:{MessageAction(action)}/{message_id}"


class ChatView(CodeBlocksMixin, QTextBrowser):
    """Read-only view. Questions are plain text; answers are Markdown rendered without raw
    HTML or remote resources (model output is untrusted), streamed block by block."""

    retryRequested = Signal()
    switchLocalRequested = Signal()  # "Switch to the local model" under a failed answer
    switchPaidRequested = Signal()  # "Use z-ai/glm-4-32b" under the free model's failure
    actionRequested = Signal(object, str)  # MessageAction, message id
    openInCodePane = Signal(str, int)  # message id, code block index in that message
    runInCodePane = Signal(str, int)  # ... shown in the code pane and run

    def __init__(self, conversation: Conversation, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageView")
        self.setAccessibleName(self.tr("Messages"))
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(self._on_anchor)
        self.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        self.document().setDocumentMargin(12)
        self.conversation = conversation
        # Whether a failed answer offers "Switch to the local model": the local-model
        # controller decides (it knows the providers).
        self.offers_local: Callable[[ChatMessage], bool] = lambda _message: False
        self._first = 0  # index of the first message in the document (older ones load later)
        self._open_results: set[str] = set()  # tool messages shown whole
        # A view is written when first shown: restored tabs in the background cost neither
        # start-up time nor memory until they are looked at. Until then, the rebuild it waits
        # for (its `first` argument) and where it should scroll to.
        self._deferred: tuple[int | None] | None = None
        self._deferred_anchor: tuple[int, int] = (-1, 0)
        self._written = False
        self._starts: list[int] = []  # document position where each shown message begins
        self._streaming_index = -1
        self._header = QTextCharFormat()
        self._header.setFontWeight(QFont.Weight.Bold)
        self._body = QTextCharFormat()
        self._muted = QTextCharFormat()
        self._muted.setFontItalic(True)
        self._error = QTextCharFormat()
        self._small = QTextCharFormat()
        self._code = QTextCharFormat()  # tool arguments and results
        self._code.setFont(code_font())
        self._small.setFontPointSize(max(6.0, self.font().pointSizeF() * 0.85))
        self._colour_formats()
        self._restyle_timer = QTimer(self)  # theme changes: one re-render when they settle
        self._restyle_timer.setSingleShot(True)
        self._restyle_timer.setInterval(0)
        self._restyle_timer.timeout.connect(self._restyle)
        self.document().setUndoRedoEnabled(False)  # streaming edits would pile up undo steps
        self._writer = BlockWriter(self.palette())
        self._stream: MarkdownStream | None = None  # the streaming answer's Markdown
        self._stream_id = ""
        self._received: tuple[str, int] | None = None  # (answer id, characters) before a rebuild
        self._body_start = 0  # document position of the streaming answer's body
        self._tail_start = 0  # ... and of its open tail (after the frozen blocks)
        self._stream_fences = 0  # code blocks in its frozen blocks
        self._pending: deque[Block] = deque()  # finished blocks still to be written
        self._tail: list[Block] = []  # the open tail, written once nothing is pending
        self._finishing: tuple[int, ChatMessage] | None = None  # footer after the last block
        self._slice_timer = QTimer(self)
        self._slice_timer.setSingleShot(True)
        self._slice_timer.setInterval(0)
        self._slice_timer.timeout.connect(self._render_slice)
        # The open tail is parsed and laid out again as text arrives: never more often than
        # TAIL_BACKOFF times its last cost, so a large open block cannot starve the loop.
        self._folder = DisplayFolder(self._markers())
        self._tail_timer = QTimer(self)
        self._tail_timer.setSingleShot(True)
        self._tail_timer.timeout.connect(self._update_tail)
        self._tail_cost = 0.0
        self._tail_at = 0.0
        self._fed = 0
        self._code_actions = CodeBlockActions(self.viewport())
        self._code_actions.triggered.connect(self._on_code_action)
        self._jump = JumpToBottom(self.viewport())
        self._jump.clicked.connect(self.scroll_to_bottom)
        self.verticalScrollBar().rangeChanged.connect(lambda *_: self._update_jump())

    def _colour_formats(self) -> None:
        self._muted.setForeground(theme.color("muted"))
        self._error.setForeground(theme.color("error"))
        self._small.setForeground(theme.color("muted"))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "_restyle_timer"):
            self._restyle_timer.start()

    def _restyle(self) -> None:
        """The theme changed: the document's colours were fixed as it was written, so it is
        written again in the new ones (where the reader was is kept)."""
        self._colour_formats()
        self._writer = BlockWriter(self.palette())
        self.refresh()

    # QTextBrowser would load local files or qrc resources named in a document; we never
    # put any there, and refuse them should one ever appear.
    def loadResource(self, kind: int, name: QUrl) -> object:
        return None

    def _on_anchor(self, url: QUrl) -> None:
        text = url.toString()
        if text == RETRY_URL:
            self.retryRequested.emit()
        elif text == SWITCH_LOCAL_URL:
            self.switchLocalRequested.emit()
        elif text == SWITCH_PAID_URL:
            self.switchPaidRequested.emit()
        elif text == EARLIER_URL:
            self.show_earlier()
        elif text.startswith(TOOL_URL):
            self._open_results ^= {text.removeprefix(TOOL_URL)}
            self.refresh()
        elif url.scheme() == SCHEME and "/" in url.path():
            action, _, message_id = url.path().partition("/")
            if action in MessageAction.__members__.values():
                self.actionRequested.emit(MessageAction(action), message_id)
        elif url.scheme() in LINK_SCHEMES:
            QDesktopServices.openUrl(url)  # only on a click, and only these schemes

    def _at_bottom(self) -> bool:
        bar = self.verticalScrollBar()
        return bar.value() >= bar.maximum() - 4

    def _end_cursor(self) -> QTextCursor:
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        return cursor

    def _follow(self, was_at_bottom: bool) -> None:
        if was_at_bottom:
            bar = self.verticalScrollBar()
            bar.setValue(bar.maximum())

    def _new_block(self, cursor: QTextCursor, top: float = 0, background: str = "") -> None:
        """A new block; background is a theme colour role."""
        fmt = QTextBlockFormat()
        fmt.setTopMargin(top)
        if background:
            fmt.setBackground(theme.color(background))
        if self.document().isEmpty():
            cursor.setBlockFormat(fmt)
        else:
            cursor.insertBlock(fmt, self._body)

    def _link(self, cursor: QTextCursor, text: str, href: str, fmt: QTextCharFormat) -> None:
        link = QTextCharFormat(fmt)
        link.setAnchor(True)
        link.setAnchorHref(href)
        link.setForeground(theme.color("link"))
        link.setFontUnderline(True)
        cursor.insertText(text, link)

    def _links(self, cursor: QTextCursor, links: list[tuple[str, str]]) -> None:
        for n, (text, href) in enumerate(links):
            if n:
                cursor.insertText(" · ", self._small)
            self._link(cursor, text, href, self._small)

    # --- building the document ---------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._write_deferred()

    def _write_deferred(self) -> None:
        """Write the document now if it waits for its first show (a message arriving, a
        search hit to scroll to and the first show itself cannot wait)."""
        if self._deferred is None:
            return
        (first,) = self._deferred
        self._deferred = None
        self._written = True
        self.rebuild(first)
        index, offset = self._deferred_anchor
        if index >= 0:
            self.scroll_to_anchor(index, offset)

    def rebuild(self, first: int | None = None) -> None:
        """Show the conversation's current branch from scratch (after a structural change):
        the last PAGE messages, or from message `first` on. Before the view was ever shown,
        only remembered: it is done when the view is first shown."""
        if not self._written and not self.isVisible():
            self._deferred = (first,)
            return
        self._written = True
        self._deferred = None
        count = len(self.conversation.messages)
        self._first = max(0, count - PAGE) if first is None else max(0, min(first, count - 1))
        # What a streaming answer had shown: its content may already hold text that the
        # session has not passed on yet (and will, through append_text).
        self._received = (self._stream_id, len(self._stream.text)) if self._stream else None
        self._code_actions.hide()
        self.clear()
        self._starts.clear()
        self._streaming_index = -1
        self._stream = None
        self._slice_timer.stop()
        self._pending.clear()
        self._tail, self._finishing = [], None
        cursor = self._end_cursor()
        cursor.beginEditBlock()  # one layout pass for the lot
        if self._first:
            self._new_block(cursor, top=4)
            n = self._first
            text = QCoreApplication.translate("ChatView", "Show %n earlier message(s)", None, n)
            self._link(cursor, text, EARLIER_URL, self._small)
        for index in range(self._first, count):
            message = self.conversation.messages[index]
            self._insert_message(cursor, index, message)
            if message.state != AnswerState.STREAMING:
                self._insert_footer(cursor, index, message)
        cursor.endEditBlock()
        if first is None:
            bar = self.verticalScrollBar()
            bar.setValue(bar.maximum())

    def _on_scrolled(self, value: int) -> None:
        self._code_actions.hide()
        self._update_jump()
        if value == 0 and self._first > 0 and self.verticalScrollBar().maximum() > 0:
            QTimer.singleShot(0, self.show_earlier)

    def refresh(self) -> None:
        """Write the messages shown again (new colours, a tool card's state changed, a result
        opened), keeping where the reader is: at the end, or the same message at the top. A
        streaming answer goes on where it was (see `rebuild`)."""
        if self._deferred is not None or not self.conversation.messages:
            return  # written when first shown anyway, or nothing to write
        following = self._at_bottom()
        index, offset = self.top_anchor()
        self.rebuild(self._first)
        if following:
            self.scroll_to_bottom()
        else:
            self.scroll_to_anchor(index, offset)

    def show_earlier(self) -> None:
        """Lay out older messages above, keeping what is on screen where it is."""
        if self._first == 0:
            return
        index, offset = self.top_anchor()
        self.rebuild(max(0, self._first - 2 * PAGE))
        self.scroll_to_anchor(index, offset)

    def _insert_message(self, cursor: QTextCursor, index: int, message: ChatMessage) -> None:
        del self._starts[index - self._first :]
        if message.role == Role.TOOL:
            self._starts.append(cursor.position())
            self._insert_result(cursor, message)
            return
        if message.role == Role.USER:
            title, colour = self.tr("You"), "you"
        else:
            title, colour = "GLM-4-32B", "assistant"
        header = QTextCharFormat(self._header)
        header.setForeground(theme.color(colour))
        self._new_block(cursor, top=14)
        self._starts.append(cursor.position())
        cursor.insertText(title, header)
        if message.role == Role.ASSISTANT and message.model:
            cursor.insertText(f"  {message.model}", self._muted)
        cursor.insertText("     ", self._small)
        mid = message.id
        if message.role == Role.USER:
            second = (self.tr("Edit"), MessageAction.EDIT)
        else:
            second = (self.tr("Regenerate"), MessageAction.REGENERATE)
        self._links(
            cursor,
            [
                (self.tr("Copy"), action_url(MessageAction.COPY, mid)),
                (second[0], action_url(second[1], mid)),
                (self.tr("Delete"), action_url(MessageAction.DELETE, mid)),
            ],
        )
        versions = self.conversation.siblings(message)
        if len(versions) > 1:
            n = versions.index(message) + 1
            cursor.insertText("     ", self._small)
            arrow = QTextCharFormat(self._header)  # full size: easy to hit
            if n > 1:
                self._link(cursor, "◀", action_url(MessageAction.PREVIOUS, mid), arrow)
            version = self.tr("version {n}/{count}").format(n=n, count=len(versions))
            cursor.insertText(f"  {version}  ", self._small)
            if n < len(versions):
                self._link(cursor, "▶", action_url(MessageAction.NEXT, mid), arrow)
        if message.role != Role.ASSISTANT:
            self._new_block(cursor, top=4)
            if message.content:
                cursor.insertText(self._shown(message.content), self._body)
        elif message.state == AnswerState.STREAMING:
            self._streaming_index = index
            self._begin_stream(cursor, message)
        else:
            text = self._shown(self._display_text(message))
            self._writer.insert_all(cursor, render_blocks(text), message.id)
        for call in message.tool_calls:
            self._insert_call(cursor, call)

    # --- tool cards ----------------------------------------------------------------------

    def _call_state(self, state: str) -> str:
        return {
            "waiting": self.tr("waiting for your approval"),
            "running": self.tr("running"),
            "done": self.tr("done"),
            "refused": self.tr("refused"),
            "failed": self.tr("failed"),
            "declined": self.tr("declined"),
            "cancelled": self.tr("cancelled"),
        }.get(state, state)

    def _insert_call(self, cursor: QTextCursor, call: ToolCallRecord) -> None:
        """A call's card: tool, state and time, then its arguments as pretty JSON."""
        self._new_block(cursor, top=6, background="banner_bg")
        head = QTextCharFormat(self._header)
        head.setForeground(theme.color("banner_fg"))
        cursor.insertText(f"⚙ {call.title}", head)  # an MCP tool's: "server · tool"
        state = self._call_state(call.state)
        if call.seconds >= 1:
            state += f" · {call.seconds:.1f} s"
        elif call.seconds:
            state += f" · {call.seconds * 1000:.0f} ms"
        if call.as_text:
            state += " · " + self.tr("sent as text (this server's template keeps no tool calls)")
        tone = self._error if call.state in ("refused", "failed") else self._small
        cursor.insertText(f"   {state}", tone)
        self._new_block(cursor, background="banner_bg")
        if call.diff and call.name in ("write_file", "edit_file"):
            self._insert_diff(cursor, call.diff)  # what it changes, instead of its arguments
            return
        try:
            arguments = json.dumps(json.loads(call.arguments or "{}"), indent=2, ensure_ascii=False)
        except ValueError:
            arguments = call.arguments
        cursor.insertText(self._shown(arguments), self._code)
        for n, image in enumerate(call.images):
            self._insert_image(cursor, f"{call.id}/{n}", image)

    def _insert_image(self, cursor: QTextCursor, key: str, image: dict[str, str]) -> None:
        """An image a tool returned, in its card (scaled to fit; never fetched from anywhere:
        the bytes came with the result)."""
        url = QUrl(f"{SCHEME}:image/{key}")
        document = self.document()
        if document.resource(QTextDocument.ResourceType.ImageResource, url) is None:
            picture = QImage()
            if not picture.loadFromData(QByteArray.fromBase64(image.get("data", "").encode())):
                return
            if picture.width() > IMAGE_WIDTH:
                picture = picture.scaledToWidth(
                    IMAGE_WIDTH, Qt.TransformationMode.SmoothTransformation
                )
            document.addResource(QTextDocument.ResourceType.ImageResource, url, picture)
        self._new_block(cursor, background="banner_bg")
        cursor.insertImage(url.toString())

    def _insert_diff(self, cursor: QTextCursor, diff: str) -> None:
        added, removed = QTextCharFormat(self._code), QTextCharFormat(self._code)
        added.setForeground(theme.color("success"))
        removed.setForeground(theme.color("error"))
        for n, line in enumerate(self._shown(diff).rstrip("\n").split("\n")):
            if n:
                cursor.insertText("\n", self._code)
            fmt = self._code
            if not line.startswith(("+++", "---")):  # the file names stay plain
                fmt = {"+": added, "-": removed}.get(line[:1], self._code)
            cursor.insertText(line, fmt)

    def _insert_result(self, cursor: QTextCursor, message: ChatMessage) -> None:
        """A call's result: its first lines, the rest behind a link."""
        lines = message.content.splitlines() or [""]
        whole = message.id in self._open_results or len(lines) <= RESULT_LINES
        self._new_block(cursor, background="alt_bg")
        shown = lines if whole else lines[:RESULT_LINES]
        cursor.insertText(self._shown("\n".join(shown)), self._code)
        if len(lines) > RESULT_LINES:
            self._new_block(cursor, background="alt_bg")
            if whole:
                text = self.tr("Show less")
            else:
                text = self.tr("Show all {n} lines").format(n=f"{len(lines):,}")
            self._link(cursor, text, TOOL_URL + message.id, self._small)

    @staticmethod
    def _cites(message: ChatMessage) -> bool:
        return bool(message.sources) and has_refs(message.content)

    def _transformed(self, message: ChatMessage) -> bool:
        """Whether what is shown differs from the text as it came."""
        return message.format == "json" or self._cites(message)

    def _display_text(self, message: ChatMessage) -> str:
        """What is shown of a finished answer: a JSON answer pretty-printed; [ref_N]
        markers as links to the answer's sources. The stored text never changes."""
        if message.format == "json" and message.state == AnswerState.DONE:
            return json_answer.display(message.content)
        if self._cites(message):
            return link_refs(message.content, message.sources)
        return message.content

    def _insert_json_problem(self, cursor: QTextCursor, message: ChatMessage) -> None:
        """A JSON answer that is not valid JSON: what is wrong and where."""
        result = json_answer.check(message.content)
        if result.pretty is not None:
            return
        self._new_block(cursor, top=6, background="error_bg")
        if result.line:
            text = self.tr(
                "Not valid JSON: {problem} at line {line}, column {column}. The answer is "
                "kept as it came."
            ).format(problem=result.problem, line=result.line, column=result.column)
        else:
            text = self.tr("Not valid JSON: {problem}. The answer is kept as it came.").format(
                problem=result.problem
            )
        cursor.insertText("⚠ " + text, self._error)

    def _insert_sources(self, cursor: QTextCursor, message: ChatMessage) -> None:
        """The web pages the answer drew on: numbered as its [ref_N], each title a link that
        opens in the browser only when clicked; site and date beside it."""
        self._new_block(cursor, top=6, background="alt_bg")
        cursor.insertText(self.tr("Sources"), self._header)
        for n, source in enumerate(message.sources, 1):
            self._new_block(cursor, background="alt_bg")
            cursor.insertText(f"{n}. ", self._small)
            self._link(cursor, source.title, source.link, self._small)
            said = " · ".join(p for p in (source.site, source.date) if p)
            if said:
                cursor.insertText(f"  {said}", self._muted)

    def _insert_footer(self, cursor: QTextCursor, index: int, message: ChatMessage) -> None:
        if message.sources:
            self._insert_sources(cursor, message)
        if message.format == "json" and message.state == AnswerState.DONE:
            self._insert_json_problem(cursor, message)
        if message.usage is not None and message.role == Role.ASSISTANT:
            # What it cost: tokens in and out, and the price ("≈": not the provider's own
            # figure), under each answer.
            self._new_block(cursor, top=2)
            cursor.insertText(translated(format_cost(message_cost(message))), self._small)
        if message.state == AnswerState.STOPPED:
            self._new_block(cursor, top=4)
            cursor.insertText(self.tr("Stopped."), self._muted)
        elif message.state == AnswerState.INTERRUPTED:
            self._new_block(cursor, top=6, background="notice_bg")
            cursor.insertText(translated(INTERRUPTED_TEXT) + "  ", self._muted)
            links = [(self.tr("Regenerate"), action_url(MessageAction.REGENERATE, message.id))]
            if message.content and index == len(self.conversation.messages) - 1:
                links.insert(
                    0, (self.tr("Continue"), action_url(MessageAction.CONTINUE, message.id))
                )
            self._links(cursor, links)
        elif message.state == AnswerState.ERROR and message.error is not None:
            self._new_block(cursor, top=6, background="error_bg")
            text = tidy_spaces(message.error.user_text(translated))
            if message.content:
                text = self.tr("The answer was interrupted. {error}").format(error=text)
            cursor.insertText("⚠ " + text, self._error)
            if message.error.detail:
                said = self.tr("(server said: {detail})").format(detail=message.error.detail)
                cursor.insertText(f"  {said}", self._muted)
            cursor.insertText("  ", self._error)
            bold = QTextCharFormat(self._error)
            bold.setFontWeight(QFont.Weight.Bold)
            self._link(cursor, self.tr("Retry"), RETRY_URL, bold)
            if message.error.kind == ErrorKind.CONTEXT:
                cursor.insertText("   ", self._error)
                trim = self.tr("Trim the history and retry")
                self._link(cursor, trim, action_url(MessageAction.TRIM, message.id), bold)
            if self.offers_local(message):
                cursor.insertText("   ", self._error)
                switch = self.tr("Switch to the local model")
                self._link(cursor, switch, SWITCH_LOCAL_URL, bold)
            free_gone = message.error.kind in (ErrorKind.MODEL, ErrorKind.QUOTA)
            if free_gone and message.model.endswith(":free"):
                cursor.insertText("   ", self._error)
                paid = self.tr("Use {model}").format(model=PAID_GLM4)
                self._link(cursor, paid, SWITCH_PAID_URL, bold)
        if message.notice:
            self._new_block(cursor, top=4)
            cursor.insertText(translated(message.notice), self._muted)

    def add_message(self, index: int, message: ChatMessage) -> None:
        if self._deferred is not None:  # written with the rest, this message included
            self._write_deferred()
            return
        self.drain()
        at_bottom = self._at_bottom()
        self._insert_message(self._end_cursor(), index, message)
        self._follow(at_bottom)

    def _markers(self) -> Markers:
        """The words for what the display text leaves out (app/core/display.py)."""
        return Markers(
            line=lambda n: self.tr(
                " … [{n} more characters on this line: Copy the message to get all of it]"
            ).format(n=f"{n:,}"),
            rows=lambda n: self.tr(
                "[… {n} more rows are not shown: Copy the message to get all of them]"
            ).format(n=f"{n:,}"),
            code=lambda n: self.tr(
                "… {n} more lines of this code block are not shown here: open it in the code "
                "pane to see all of it"
            ).format(n=f"{n:,}"),
            message=lambda n: self.tr(
                "[… {n} more characters are not shown: Copy the message, or export the "
                "conversation, to get all of it]"
            ).format(n=f"{n:,}"),
        )

    def _shown(self, text: str) -> str:
        return display_text(text, self._markers())

    def append_text(self, index: int, text: str) -> None:
        if index != self._streaming_index or not text or self._stream is None:
            return
        self._fed += len(text)
        shown = self._folder.feed(text)
        if not shown:
            return  # all of it left out (a folded line, rows, past the limit)
        self._stream.feed(shown)
        wait = self._tail_at + TAIL_BACKOFF * self._tail_cost - time.perf_counter()
        if self._tail_cost > TAIL_COST_FREE and wait > 0:  # it took long: the loop first
            if not self._tail_timer.isActive():
                self._tail_timer.start(int(wait * 1000) + 1)
            return
        self._update_tail()

    def _update_tail(self) -> None:
        """Freeze what is finished and lay out the open tail again."""
        self._tail_timer.stop()
        if self._stream is None:
            return
        started = time.perf_counter()
        frozen, self._tail = self._stream.update()
        self._pending.extend(frozen)
        self._render_slice()
        self._tail_at = time.perf_counter()
        self._tail_cost = self._tail_at - started

    def finish_message(self, index: int, message: ChatMessage) -> None:
        if self._deferred is not None:
            self._write_deferred()
            return
        if index == self._streaming_index:
            self._streaming_index = -1
            if self._stream is not None:
                self._tail_timer.stop()
                self._stream.feed(self._folder.finish())
                # What was saved is the truth: when it is not what arrived here (an answer
                # replaced meanwhile), it is folded and rendered afresh.
                # Also when it cites web sources: its [ref_N] become links to them.
                # Also when it cites web sources (its [ref_N] become links to them) or is
                # a JSON answer (shown pretty-printed).
                if self._fed != len(message.content) or self._transformed(message):
                    shown = self._shown(self._display_text(message))
                    self._tail_start, self._stream_fences = self._body_start, 0
                    self._pending.clear()
                    self._stream = MarkdownStream()
                    self._stream.feed(shown)
                self._pending.extend(self._stream.finish())
                self._tail, self._stream = [], None
                self._finishing = (index, message)  # the footer follows the last block
                self._render_slice()
                return
        at_bottom = self._at_bottom()
        self._insert_footer(self._end_cursor(), index, message)
        self._follow(at_bottom)

    # --- streaming Markdown ------------------------------------------------------------

    def _begin_stream(self, cursor: QTextCursor, message: ChatMessage) -> None:
        self._stream = MarkdownStream()
        self._folder = DisplayFolder(self._markers())
        self._tail_cost = 0.0
        self._stream_id = message.id
        self._body_start = self._tail_start = cursor.position()
        self._stream_fences = 0
        text = message.content  # an answer being continued, or shown again (rebuild)
        if self._received and self._received[0] == message.id:
            text = text[: self._received[1]]
        self._fed = len(text)  # characters of the answer given to the folder
        if text:
            self._stream.feed(self._folder.feed(text))
            frozen, self._tail = self._stream.update()
            self._pending.extend(frozen)
            self._render_slice(budget=float("inf"))  # the open tail too
            cursor.movePosition(QTextCursor.MoveOperation.End)

    @property
    def rendering(self) -> bool:
        """Finished blocks (or the footer) of the streamed answer are still to be written."""
        return bool(self._pending or self._finishing)

    def drain(self) -> None:
        """Write whatever is still queued now (before anything else goes in the document)."""
        if self.rendering:
            self._render_slice(budget=float("inf"))

    def _render_slice(self, budget: float = RENDER_SLICE_S) -> None:
        """Replace the open tail: queued finished blocks are written once (code highlighted),
        for at most `budget` seconds, the rest on the next turn of the event loop; once none
        are left, the open tail is rendered again (open code plain), then any footer."""
        self._slice_timer.stop()
        at_bottom = self._at_bottom()
        deadline = time.perf_counter() + budget
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()  # one layout pass
        cursor.setPosition(self._tail_start)
        kept = cursor.blockFormat()  # the last written block's (a rule, a quote's indent)...
        cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
        if cursor.hasSelection():
            cursor.removeSelectedText()
            cursor.setBlockFormat(kept)  # ...which removing the tail after it replaced
        written = 0
        while self._pending:
            block = self._pending[0]
            if written and time.perf_counter() + cost_estimate(block) > deadline:
                break  # the next turn of the loop writes it
            self._pending.popleft()
            self._writer.insert(cursor, block, f"{self._stream_id}/{self._stream_fences}")
            self._stream_fences += block.fences
            written += 1
        self._tail_start = cursor.position()
        if not self._pending:
            fences = self._stream_fences
            for block in self._tail:
                self._writer.insert(cursor, block, f"{self._stream_id}/{fences}", highlight=False)
                fences += block.fences
        cursor.endEditBlock()
        if self._pending:
            self._slice_timer.start()
        elif self._finishing is not None:
            index, message = self._finishing
            self._finishing = None
            self._insert_footer(self._end_cursor(), index, message)
        self._follow(at_bottom)

    # --- following the end -------------------------------------------------------------

    def scroll_to_bottom(self) -> None:
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _update_jump(self) -> None:
        show = self.verticalScrollBar().maximum() > 0 and not self._at_bottom()
        if show:
            self._jump.place()
        self._jump.setVisible(show)

    def resizeEvent(self, event: QResizeEvent) -> None:
        # A new width lays the text out again: a view at the end stays at the end, and a
        # reader further up keeps the same message at the top.
        written = self._deferred is None and bool(self._starts)
        following = self._at_bottom()
        at_top = not following and self.verticalScrollBar().value() == 0
        anchor = self.top_anchor() if written and not following else (-1, 0)
        super().resizeEvent(event)
        if following:
            self.scroll_to_bottom()
        elif at_top:
            self.verticalScrollBar().setValue(0)  # the top stays the top (not its margin)
        elif anchor[0] >= 0:
            self.scroll_to_anchor(*anchor)
        self._update_jump()

    # --- positions ---------------------------------------------------------------------

    def scroll_to_message(self, index: int) -> None:
        self.scroll_to_anchor(index, 0)

    def scroll_to_anchor(self, index: int, offset: int) -> None:
        """Put message `index` (`offset` characters in) at the top of the view."""
        if self._deferred is not None:
            self._deferred_anchor = (index, offset)  # once it is written
            return
        if index < 0:
            bar = self.verticalScrollBar()
            bar.setValue(bar.maximum())
            return
        if index < self._first:
            self.rebuild(max(0, index - PAGE // 4))
        i = index - self._first
        if 0 <= i < len(self._starts):
            self.scroll_to_position(self._starts[i] + offset)

    def scroll_to_position(self, position: int) -> None:
        self._write_deferred()
        block = self.document().findBlock(min(position, self.document().characterCount() - 1))
        top = self.document().documentLayout().blockBoundingRect(block).top()
        self.verticalScrollBar().setValue(int(top))

    def top_anchor(self) -> tuple[int, int]:
        """(message index, characters into it) shown at the top; (-1, 0) when following the
        end. Survives a new window width and older messages being laid out above."""
        if self._deferred is not None:
            return self._deferred_anchor
        if self._at_bottom() or not self._starts:
            return -1, 0
        pos = self.cursorForPosition(self.viewport().rect().topLeft()).position()
        i = max(0, bisect.bisect_right(self._starts, pos) - 1)
        return self._first + i, max(0, pos - self._starts[i])


def cost_estimate(block: Block) -> float:
    """Seconds to write a block, roughly (measured here: highlighting ~3 µs a character)."""
    return 0.0002 + (3e-6 if block.code is not None else 1e-6) * len(block.source)
