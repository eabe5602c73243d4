"""Search across all conversations (Ctrl+Shift+F): results with highlighted snippets."""

from __future__ import annotations

import html

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.history import HIT_END, HIT_START, SearchHit
from app.ui import theme

DEBOUNCE_MS = 120
HIT_ROLE = Qt.ItemDataRole.UserRole


def snippet_html(snippet: str) -> str:
    """The snippet as safe rich text, hits marked."""
    text = html.escape(" ".join(snippet.split()))
    mark = f'<b style="background:{theme.color("hit").name()}">'
    return text.replace(HIT_START, mark).replace(HIT_END, "</b>")


class SearchDialog(QDialog):
    queryChanged = Signal(str)  # debounced
    resultChosen = Signal(str, str)  # conversation id, message id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("searchDialog")
        self.setWindowTitle(self.tr("Search all conversations"))
        self.resize(560, 460)
        self.field = QLineEdit()
        self.field.setObjectName("searchField")
        self.field.setAccessibleName(self.tr("Search text"))
        self.field.setPlaceholderText(self.tr("Search all conversations (English, 中文, code…)"))
        self.field.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setObjectName("searchResults")
        self.results.setAccessibleName(self.tr("Search results"))
        self.results.itemActivated.connect(self._choose)
        self.results.itemDoubleClicked.connect(self._choose)
        self.summary = QLabel()
        self.summary.setObjectName("searchSummary")
        layout = QVBoxLayout(self)
        layout.addWidget(self.field)
        layout.addWidget(self.summary)
        layout.addWidget(self.results, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(lambda: self.queryChanged.emit(self.field.text().strip()))
        self.field.textChanged.connect(lambda _t: self._timer.start())
        self.field.returnPressed.connect(self._enter)

    def open_with_focus(self) -> None:
        self.show()
        self.raise_()
        self.activateWindow()
        self.field.setFocus()
        self.field.selectAll()

    def set_results(self, query: str, hits: list[SearchHit]) -> None:
        if query != self.field.text().strip():
            return  # an older query's answer
        self.results.clear()
        for hit in hits:
            item = QListWidgetItem()
            item.setData(HIT_ROLE, (hit.conversation_id, hit.message_id))
            title = html.escape(hit.title or self.tr("Untitled"))
            label = QLabel(f"<b>{title}</b><br>{snippet_html(hit.snippet)}")
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setWordWrap(True)
            label.setContentsMargins(6, 4, 6, 4)
            item.setSizeHint(label.sizeHint())
            self.results.addItem(item)
            self.results.setItemWidget(item, label)
        if not query:
            self.summary.setText("")
        elif hits:
            n = len(hits)
            self.summary.setText(
                QCoreApplication.translate("SearchDialog", "%n result(s)", None, n)
            )
            self.results.setCurrentRow(0)
        else:
            self.summary.setText(self.tr("Nothing found for “{query}”.").format(query=query))

    def _enter(self) -> None:
        item = self.results.currentItem()
        if item is not None:
            self._choose(item)

    def _choose(self, item: QListWidgetItem) -> None:
        conversation_id, message_id = item.data(HIT_ROLE)
        self.resultChosen.emit(conversation_id, message_id)
        self.hide()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self.field.hasFocus():
            row = self.results.currentRow() + (1 if event.key() == Qt.Key.Key_Down else -1)
            self.results.setCurrentRow(max(0, min(row, self.results.count() - 1)))
            return
        super().keyPressEvent(event)
