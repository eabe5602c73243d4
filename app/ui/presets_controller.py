"""Prompt presets in the window: the composer's Preset list and the Presets dialog.

Choosing a preset sets the current conversation's system prompt (Edit → Conversation
settings shows it); "No preset" removes it. "Manage presets…" opens the dialog: the shipped
presets (English or Chinese, as the app is shown) and the user's own, which can be added,
edited, deleted, imported and exported as JSON (`presets.json` in the profile).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.asyncutil import Tasks
from app.core.presets import FILE_NAME, Preset, PresetsError, load, parse, shipped, to_json
from app.core.snippet_files import write_text
from app.services.settings import SettingsService
from app.ui.chat_tab import ChatTab
from app.ui.conversation_tabs import ConversationTabs
from app.ui.i18n import current_language
from app.ui.theme import set_tone

MANAGE = "__manage__"


class PresetsController(QObject):
    """objectName of the list: presetCombo."""

    def __init__(
        self,
        tabs: ConversationTabs,
        settings: SettingsService | None,
        profile: Path,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.tabs, self.settings, self.profile = tabs, settings, profile
        self.window_parent = parent
        self.tasks = Tasks()
        self.own: list[Preset] = load(profile)
        self.shipped = shipped(current_language())  # as the app is shown
        self.combo = QComboBox()
        self.combo.setObjectName("presetCombo")
        self.combo.setAccessibleName(self.tr("Prompt preset for this conversation"))
        self.combo.setToolTip(self.tr("A named system prompt for this conversation"))
        self.combo.activated.connect(self._chosen)
        self.dialog: PresetsDialog | None = None
        tabs.currentTabChanged.connect(lambda _tab: self.show_current())
        self.fill()

    @property
    def presets(self) -> list[Preset]:
        return [*self.shipped, *self.own]

    def fill(self) -> None:
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItem(self.tr("No preset"), "")
        for n, preset in enumerate(self.presets):
            self.combo.addItem(preset.name, n)
        self.combo.insertSeparator(self.combo.count())
        self.combo.addItem(self.tr("Manage presets…"), MANAGE)
        self.combo.blockSignals(False)
        self.show_current()

    def show_current(self) -> None:
        """The preset whose prompt is the conversation's system prompt, if any."""
        tab = self.tabs.current_tab()
        prompt = str(tab.conversation.params.get("system_prompt", "")) if tab else ""
        index = 0
        for n, preset in enumerate(self.presets):
            if prompt and preset.prompt == prompt:
                index = self.combo.findData(n)
        self.combo.blockSignals(True)
        self.combo.setCurrentIndex(index)
        self.combo.blockSignals(False)

    def _chosen(self, index: int) -> None:
        data = self.combo.itemData(index)
        if data == MANAGE:
            self.show_current()
            self.open_dialog()
            return
        tab = self.tabs.current_tab()
        if tab is not None:
            self.apply(tab, self.presets[data] if isinstance(data, int) else None)

    def apply(self, tab: ChatTab, preset: Preset | None) -> None:
        """The conversation's system prompt becomes the preset's (None: none of its own)."""
        params = dict(tab.conversation.params)
        if preset is None:
            params.pop("system_prompt", None)
        else:
            params["system_prompt"] = preset.prompt
        tab.conversation.params = params
        tab.session.save_fields()
        self.show_current()

    # --- the user's presets ----------------------------------------------------------------

    def open_dialog(self) -> PresetsDialog:
        if self.dialog is None:
            self.dialog = PresetsDialog(self, self.window_parent)
        self.dialog.fill()
        self.dialog.show()
        self.dialog.raise_()
        return self.dialog

    def set_own(self, presets: list[Preset]) -> None:
        """The user's presets from now on (saved off the GUI thread)."""
        self.own = [Preset(p.name, p.prompt) for p in presets]
        self.fill()
        self.tasks.start(self._save())

    async def _save(self) -> None:
        await asyncio.to_thread(write_text, self.profile / FILE_NAME, to_json(self.own))


class PresetsDialog(QDialog):
    """objectNames: presetsDialog, presetList, presetNameField, presetPromptField,
    presetNewButton, presetSaveButton, presetDeleteButton, presetImportButton,
    presetExportButton, presetMessage."""

    def __init__(self, controller: PresetsController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setObjectName("presetsDialog")
        self.setWindowTitle(self.tr("Prompt presets"))
        self.list = QListWidget()
        self.list.setObjectName("presetList")
        self.list.currentRowChanged.connect(lambda _r: self._show())
        self.name = QLineEdit()
        self.name.setObjectName("presetNameField")
        self.name.setPlaceholderText(self.tr("Name"))
        self.prompt = QPlainTextEdit()
        self.prompt.setObjectName("presetPromptField")
        self.prompt.setPlaceholderText(self.tr("The system prompt"))
        self.message = QLabel()
        self.message.setObjectName("presetMessage")
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        self.new_button = self._button(self.tr("New"), "presetNewButton", self.new)
        self.save_button = self._button(self.tr("Save"), "presetSaveButton", self.save)
        self.delete_button = self._button(self.tr("Delete"), "presetDeleteButton", self.delete)
        self.import_button = self._button(self.tr("Import…"), "presetImportButton", self.import_)
        self.export_button = self._button(self.tr("Export…"), "presetExportButton", self.export)
        for b in (
            self.new_button,
            self.save_button,
            self.delete_button,
            self.import_button,
            self.export_button,
        ):
            buttons.addWidget(b)
        side = QVBoxLayout()
        side.addWidget(self.name)
        side.addWidget(self.prompt, 1)
        body = QHBoxLayout()
        body.addWidget(self.list)
        body.addLayout(side, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.resize(760, 460)

    def _button(self, text: str, name: str, slot: object) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    def fill(self, select: str = "") -> None:
        self.list.clear()
        for preset in self.controller.presets:
            item = QListWidgetItem(preset.name)
            if preset.shipped:
                item.setToolTip(self.tr("Shipped with GLM Desk (read-only: save a copy)"))
                item.setForeground(self.palette().placeholderText())
            self.list.addItem(item)
            if preset.name == select:
                self.list.setCurrentItem(item)
        if self.list.currentRow() < 0 and self.list.count():
            self.list.setCurrentRow(0)

    def _selected(self) -> Preset | None:
        row = self.list.currentRow()
        presets = self.controller.presets
        return presets[row] if 0 <= row < len(presets) else None

    def _show(self) -> None:
        preset = self._selected()
        self.name.setText(preset.name if preset else "")
        self.prompt.setPlainText(preset.prompt if preset else "")
        self.delete_button.setEnabled(preset is not None and not preset.shipped)

    def _say(self, text: str, tone: str = "muted") -> None:
        self.message.setText(text)
        set_tone(self.message, tone)

    def new(self) -> None:
        self.list.clearSelection()
        self.list.setCurrentRow(-1)
        self.name.clear()
        self.prompt.clear()
        self.name.setFocus(Qt.FocusReason.OtherFocusReason)

    def save(self) -> bool:
        """Save what is in the fields as the user's preset of that name (a shipped one's
        name saves a copy beside it, named "… (mine)")."""
        name, prompt = self.name.text().strip(), self.prompt.toPlainText()
        if not name or not prompt.strip():
            self._say(self.tr("A preset needs a name and a prompt."), "error")
            return False
        if any(p.shipped and p.name == name for p in self.controller.presets):
            name = self.tr("{name} (mine)").format(name=name)
        own = [p for p in self.controller.own if p.name != name] + [Preset(name, prompt)]
        self.controller.set_own(own)
        self.fill(select=name)
        self._say(self.tr("Saved {name}.").format(name=name), "success")
        return True

    def delete(self) -> None:
        preset = self._selected()
        if preset is None or preset.shipped:
            return
        self.controller.set_own([p for p in self.controller.own if p.name != preset.name])
        self.fill()
        self._say(self.tr("Deleted {name}.").format(name=preset.name))

    def import_(self, path: str = "") -> int:
        if not path:
            path, _ = QFileDialog.getOpenFileName(
                self, self.tr("Import presets"), "", self.tr("JSON files (*.json)")
            )
        if not path:
            return 0
        try:
            found = parse(Path(path).read_text(encoding="utf-8"))
        except (OSError, PresetsError) as exc:
            self._say(self.tr("Not imported: {problem}").format(problem=str(exc)), "error")
            return 0
        names = {p.name for p in found}
        self.controller.set_own([p for p in self.controller.own if p.name not in names] + found)
        self.fill()
        self._say(self.tr("Imported {n} preset(s).").format(n=len(found)), "success")
        return len(found)

    def export(self, path: str = "") -> bool:
        if not path:
            path, _ = QFileDialog.getSaveFileName(
                self, self.tr("Export presets"), "presets.json", self.tr("JSON files (*.json)")
            )
        if not path:
            return False
        try:
            write_text(Path(path), to_json(self.controller.own))
        except OSError as exc:
            self._say(self.tr("Not exported: {problem}").format(problem=str(exc)), "error")
            return False
        self._say(self.tr("Exported {n} preset(s).").format(n=len(self.controller.own)))
        return True
