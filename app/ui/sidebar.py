"""The conversations sidebar: list by last activity, rename, pin, delete with undo, trash."""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.history import TRASH_DAYS, ConversationInfo

ID_ROLE = Qt.ItemDataRole.UserRole
TITLE_ROLE = Qt.ItemDataRole.UserRole + 1
PINNED_ROLE = Qt.ItemDataRole.UserRole + 2
UNDO_SECONDS = 10
PIN_MARK = "★ "


class ConversationList(QListWidget):
    deletePressed = Signal(str)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        item = self.currentItem()
        if item is not None and event.key() == Qt.Key.Key_Delete:
            self.deletePressed.emit(item.data(ID_ROLE))
            return
        super().keyPressEvent(event)


class UndoBar(QFrame):
    """A toast with an Undo button that goes away by itself."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("undoBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)  # its colours: the theme's stylesheet (#undoBar)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.button = QPushButton(self.tr("Undo"))
        self.button.setObjectName("undoButton")
        self.button.clicked.connect(self._undo)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        self._action: object = None
        self.hide()

    def offer(self, text: str, undo: object, seconds: float = UNDO_SECONDS) -> None:
        self.label.setText(text)
        self._action = undo
        self.show()
        self._timer.start(int(seconds * 1000))

    def _undo(self) -> None:
        action, self._action = self._action, None
        self.hide()
        if callable(action):
            action()


class Sidebar(QWidget):
    openRequested = Signal(str)
    renameRequested = Signal(str, str)
    pinRequested = Signal(str, bool)
    deleteRequested = Signal(str)  # to the trash
    restoreRequested = Signal(str)
    deleteForeverRequested = Signal(str)
    exportRequested = Signal(str, str)  # id, format
    trashToggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conversationSidebar")
        self.title = QLabel(f"<b>{self.tr('Conversations')}</b>")
        self.trash_button = QPushButton(self.tr("Trash"))
        self.trash_button.setObjectName("trashButton")
        self.trash_button.setCheckable(True)
        self.trash_button.setToolTip(
            self.tr("Deleted conversations, kept for {days} days").format(days=TRASH_DAYS)
        )
        self.trash_button.toggled.connect(self._on_trash_toggled)
        self.list = ConversationList()
        self.list.setObjectName("conversationList")
        self.list.setAccessibleName(self.tr("Conversations"))
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._menu)
        self.list.itemActivated.connect(self._activated)
        self.list.itemClicked.connect(self._activated)
        self.list.itemChanged.connect(self._renamed)
        self.list.deletePressed.connect(self._delete_key)
        self.empty = QLabel()
        self.empty.setWordWrap(True)
        self.empty.setProperty("tone", "muted")
        self.empty.setContentsMargins(8, 8, 8, 8)
        self.undo_bar = UndoBar()
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.trash_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 0, 6)
        layout.addLayout(top)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.undo_bar)
        self._filling = False

    @property
    def showing_trash(self) -> bool:
        return self.trash_button.isChecked()

    def _on_trash_toggled(self, on: bool) -> None:
        title = self.tr("Trash") if on else self.tr("Conversations")
        self.title.setText(f"<b>{title}</b>")
        self.trashToggled.emit(on)

    def set_items(self, infos: list[ConversationInfo]) -> None:
        current = self.list.currentItem()
        keep = current.data(ID_ROLE) if current is not None else None
        self._filling = True
        self.list.clear()
        for info in infos:
            item = QListWidgetItem(self._label(info))
            item.setData(ID_ROLE, info.id)
            when = info.deleted if self.showing_trash else info.updated
            stamp = time.strftime("%Y-%m-%d %H:%M", time.localtime(when or info.updated))
            if self.showing_trash:
                tip = self.tr("{title}\nDeleted: {stamp}")
            else:
                tip = self.tr("{title}\nLast activity: {stamp}")
            item.setToolTip(tip.format(title=info.title, stamp=stamp))
            if not self.showing_trash:
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
            item.setData(TITLE_ROLE, info.title)
            item.setData(PINNED_ROLE, info.pinned)
            self.list.addItem(item)
            if info.id == keep:
                self.list.setCurrentItem(item)
        self._filling = False
        if self.showing_trash:
            if infos:
                empty = self.tr("Right-click to restore. Kept for {days} days.")
            else:
                empty = self.tr("Deleted conversations stay here for {days} days.")
            self.empty.setText(empty.format(days=TRASH_DAYS))
        else:
            self.empty.setText("" if infos else self.tr("Your conversations will appear here."))
        self.empty.setVisible(bool(self.empty.text()))

    @staticmethod
    def _label(info: ConversationInfo) -> str:
        title = info.title or QCoreApplication.translate("Sidebar", "Untitled")
        return (PIN_MARK if info.pinned else "") + title

    def ids(self) -> list[str]:
        return [self.list.item(i).data(ID_ROLE) for i in range(self.list.count())]

    def item_for(self, conversation_id: str) -> QListWidgetItem | None:
        for i in range(self.list.count()):
            if self.list.item(i).data(ID_ROLE) == conversation_id:
                return self.list.item(i)
        return None

    def title_of(self, conversation_id: str) -> str:
        item = self.item_for(conversation_id)
        return str(item.data(TITLE_ROLE) or "") if item is not None else ""

    def _activated(self, item: QListWidgetItem) -> None:
        if not self.showing_trash:
            self.openRequested.emit(item.data(ID_ROLE))

    def _renamed(self, item: QListWidgetItem) -> None:
        if self._filling:
            return
        title = " ".join(item.text().removeprefix(PIN_MARK).split())
        if title:
            self.renameRequested.emit(item.data(ID_ROLE), title)

    def _delete_key(self, cid: str) -> None:
        (self.deleteForeverRequested if self.showing_trash else self.deleteRequested).emit(cid)

    def _menu(self, pos: QPoint) -> None:
        item = self.list.itemAt(pos)
        if item is None:
            return
        cid = item.data(ID_ROLE)
        menu = QMenu(self)
        if self.showing_trash:
            menu.addAction(self.tr("Restore"), lambda: self.restoreRequested.emit(cid))
            menu.addAction(self.tr("Delete forever"), lambda: self.deleteForeverRequested.emit(cid))
        else:
            pinned = bool(item.data(PINNED_ROLE))
            menu.addAction(self.tr("Open"), lambda: self.openRequested.emit(cid))
            menu.addAction(self.tr("Rename"), lambda: self.list.editItem(item))
            pin = self.tr("Unpin") if pinned else self.tr("Pin")
            menu.addAction(pin, lambda: self.pinRequested.emit(cid, not pinned))
            menu.addSeparator()
            menu.addAction(
                self.tr("Export as Markdown…"), lambda: self.exportRequested.emit(cid, "md")
            )
            menu.addAction(
                self.tr("Export as JSON…"), lambda: self.exportRequested.emit(cid, "json")
            )
            menu.addSeparator()
            menu.addAction(self.tr("Move to Trash"), lambda: self.deleteRequested.emit(cid))
        menu.popup(self.list.viewport().mapToGlobal(pos))
