"""Compare in the window: two answers to one question, side by side in the tab.

The composer's **Compare…** (`compareButton`) asks which two sides (a provider, a model, a
temperature each; `compareDialog`) and sends the composer's text to both at once. The tab
then shows `CompareView`: per side its label, its answer streaming (rendered as the chat
renders answers), Stop, and its measurements (time to first token, tokens per second, tokens,
cost); once both have ended, the diff of the two answers and of their code blocks, and
**Keep this answer** on each side: the conversation goes on from that one (the other stays
as a version of it, ◀ ▶). `CompareController` owns the button, the dialog and the sessions.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.core.compare import SideSpec
from app.core.conversation import ChatMessage, Conversation
from app.core.providers import Provider
from app.services.backend import Backend
from app.services.compare import CompareSession
from app.services.history import HistoryService
from app.services.providers import ProviderService
from app.ui.chat_view import ChatView
from app.ui.code_highlighter import CodeHighlighter
from app.ui.composer import Composer
from app.ui.conversation_tabs import ConversationTabs
from app.ui.syntax import code_font
from app.ui.theme import set_tone

NO_TEMPERATURE = -0.1  # the spin box's "the provider's own"


class SidePane(QFrame):
    def __init__(self, letter: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"compareSide{letter}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = QLabel()
        self.label.setObjectName(f"compareLabel{letter}")
        font = self.label.font()
        font.setBold(True)
        self.label.setFont(font)
        self.label.setWordWrap(True)
        self.stats = QLabel()
        self.stats.setObjectName(f"compareStats{letter}")
        self.stats.setWordWrap(True)
        self.stop = QPushButton(self.tr("Stop"))
        self.stop.setObjectName(f"compareStop{letter}")
        self.keep = QPushButton(self.tr("Keep this answer"))
        self.keep.setObjectName(f"compareKeep{letter}")
        self.keep.setEnabled(False)
        self.view: ChatView | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(4, 4, 4, 4)
        self._layout.addWidget(self.label)
        self._layout.addWidget(self.stats)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.stop)
        buttons.addWidget(self.keep)
        self._layout.addLayout(buttons)

    def show_answer(self, answer: ChatMessage, name: str) -> None:
        """The answer, rendered by a view of its own that holds only it."""
        own = Conversation(title="")
        own.nodes[answer.id] = answer
        own.messages = [answer]
        self.view = ChatView(own, self)
        self.view.setObjectName(f"compareAnswer{name}")
        # Its links: Copy works here; the rest (regenerate, delete) belong to the
        # conversation, after an answer is kept.
        self.view.actionRequested.connect(self._action)
        self._layout.insertWidget(1, self.view, 1)
        self.view.add_message(0, answer)

    def _action(self, action: object, _message_id: str) -> None:
        from PySide6.QtGui import QGuiApplication

        from app.ui.chat_view import MessageAction

        if action == MessageAction.COPY and self.view is not None:
            QGuiApplication.clipboard().setText(self.view.conversation.messages[0].content)


class CompareView(QWidget):
    closed = Signal()

    def __init__(self, session: CompareSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compareView")
        self.session = session
        title = QLabel(self.tr("Compare: the same question to two models"))
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        self.close_button = QPushButton(self.tr("Back to the conversation"))
        self.close_button.setObjectName("compareClose")
        self.close_button.setEnabled(False)
        self.close_button.clicked.connect(self.closed)
        top = QHBoxLayout()
        top.addWidget(title, 1)
        top.addWidget(self.close_button)
        self.panes = [SidePane("A"), SidePane("B")]
        sides = QSplitter(Qt.Orientation.Horizontal)
        for pane in self.panes:
            sides.addWidget(pane)
        self.diff = QPlainTextEdit()
        self.diff.setObjectName("compareDiff")
        self.diff.setReadOnly(True)
        self.diff.setFont(code_font())
        self._highlighter = CodeHighlighter(self.diff.document(), "diff", self.diff)
        self.diff.hide()
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(sides)
        split.addWidget(self.diff)
        split.setSizes([420, 200])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        for n, (pane, label) in enumerate(zip(self.panes, session.labels(), strict=True)):
            pane.label.setText(f"{'AB'[n]}: {label}")
            pane.show_answer(session.answers[n], "AB"[n])
            pane.stop.clicked.connect(lambda _=False, n=n: session.stop(n))
            pane.keep.clicked.connect(lambda _=False, n=n: self.keep(n))
            pane.stats.setText(self.tr("Waiting for the first token…"))
        session.textArrived.connect(self._text)
        session.sideFinished.connect(self._side_finished)
        session.finished.connect(self._finished)

    def _text(self, n: int, text: str) -> None:
        view = self.panes[n].view
        if view is not None:
            view.append_text(0, text)

    def _side_finished(self, n: int) -> None:
        pane, result = self.panes[n], self.session.results[n]
        if pane.view is not None:
            pane.view.finish_message(0, self.session.answers[n])
        pane.stop.setEnabled(False)
        pane.stats.setText(self.stats_text(n))
        set_tone(pane.stats, "error" if result.error is not None else "")

    def stats_text(self, n: int) -> str:
        result = self.session.results[n]
        parts = []
        if result.first_token_s is not None:
            parts.append(self.tr("first token {s} s").format(s=f"{result.first_token_s:.2f}"))
        if result.tokens_per_s is not None:
            parts.append(self.tr("{rate} tokens/s").format(rate=f"{result.tokens_per_s:.1f}"))
        tokens = f"{'≈' if result.estimated else ''}{result.tokens:,}"
        parts.append(self.tr("{n} tokens").format(n=tokens))
        if result.cost_usd is not None:
            parts.append(f"${result.cost_usd:.5f}")
        if result.error is not None:
            from app.services.translation import translated

            parts.append(result.error.user_text(translated))
        elif self.session.answers[n].state.value == "stopped":
            parts.append(self.tr("stopped"))
        return " · ".join(parts)

    def _finished(self) -> None:
        for pane in self.panes:
            pane.keep.setEnabled(True)
        self.close_button.setEnabled(True)
        diff = self.session.diff()
        self.diff.setPlainText(diff or self.tr("The two answers are the same."))
        self.diff.show()

    def keep(self, n: int) -> None:
        self.session.keep(n)
        self.closed.emit()


class CompareDialog(QDialog):
    """Which two sides: a provider, its model, a temperature each."""

    def __init__(
        self, providers: list[Provider], current: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("compareDialog")
        self.setWindowTitle(self.tr("Compare two models"))
        grid = QGridLayout()
        grid.addWidget(QLabel(self.tr("Provider")), 0, 1)
        grid.addWidget(QLabel(self.tr("Model (empty: its own)")), 0, 2)
        grid.addWidget(QLabel(self.tr("Temperature")), 0, 3)
        self.rows: list[tuple[QComboBox, QLineEdit, QDoubleSpinBox]] = []
        local = next((p.id for p in providers if p.is_loopback), current)
        for n, default in enumerate((current, local if local != current else current)):
            letter = "AB"[n]
            combo = QComboBox()
            combo.setObjectName(f"compareProvider{letter}")
            for p in providers:
                combo.addItem(p.name, p.id)
            combo.setCurrentIndex(max(0, combo.findData(default)))
            model = QLineEdit()
            model.setObjectName(f"compareModel{letter}")
            temperature = QDoubleSpinBox()
            temperature.setObjectName(f"compareTemperature{letter}")
            temperature.setRange(NO_TEMPERATURE, 2.0)
            temperature.setSingleStep(0.1)
            temperature.setSpecialValueText(self.tr("its own"))
            temperature.setValue(NO_TEMPERATURE)
            grid.addWidget(QLabel(f"{letter}:"), n + 1, 0)
            grid.addWidget(combo, n + 1, 1)
            grid.addWidget(model, n + 1, 2)
            grid.addWidget(temperature, n + 1, 3)
            self.rows.append((combo, model, temperature))
        note = QLabel(
            self.tr(
                "The composer's text goes to both at once. Stopping one, or an error on one, "
                "leaves the other going."
            )
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Compare"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.addRow(grid)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def specs(self) -> list[SideSpec]:
        out = []
        for combo, model, temperature in self.rows:
            value = temperature.value()
            out.append(
                SideSpec(
                    str(combo.currentData()),
                    model.text().strip(),
                    None if value <= NO_TEMPERATURE + 1e-9 else round(value, 2),
                )
            )
        return out


class CompareController(QObject):
    statusText = Signal(str)

    def __init__(
        self,
        tabs: ConversationTabs,
        providers: ProviderService,
        backend: Backend,
        history: HistoryService,
        composer: Composer,
        window: QWidget,
    ) -> None:
        super().__init__(window)
        self.tabs, self.providers, self.backend = tabs, providers, backend
        self.history, self.composer, self.window = history, composer, window
        self.button = QPushButton(self.tr("Compare…"))
        self.button.setObjectName("compareButton")
        self.button.setToolTip(
            self.tr("Send the question to two providers or models at once, side by side")
        )
        self.button.clicked.connect(self.ask)
        self.dialog: CompareDialog | None = None

    def ask(self) -> CompareDialog | None:
        tab = self.tabs.current_tab()
        if tab is None or tab.busy:
            return None
        if not self.composer.toPlainText().strip():
            self.statusText.emit(self.tr("Type the question to compare first."))
            return None
        self.dialog = CompareDialog(
            list(self.providers.providers), self.providers.current.id, self.window
        )
        self.dialog.accepted.connect(lambda: self.start(self.dialog.specs()))
        self.dialog.open()
        return self.dialog

    def start(self, specs: list[SideSpec]) -> CompareSession | None:
        tab = self.tabs.current_tab()
        text = self.composer.toPlainText().strip()
        if tab is None or tab.busy or not text or len(specs) != 2:
            return None
        sides = []
        for spec in specs:
            provider = self.providers.provider(spec.provider_id)
            if spec.model:
                provider = provider.with_overrides(model=spec.model)
            sides.append((provider, spec))
        session = CompareSession(
            self.backend, self.providers, self.history, tab.conversation, sides, tab
        )
        session.start(text)
        self.composer.clear()
        tab.show_compare(CompareView(session))
        return session
