"""A unified diff in a window of its own, highlighted with Pygments' diff lexer.

Shown without blocking (`show_diff`) to look at two versions or a file against a snippet, or
modally with Apply / Cancel (`ask_to_apply`) before a snippet overwrites a file.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from app.core.snippets import diff_stats
from app.ui.code_editor import CodeEditor, FindBar


class DiffDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("codeDiffDialog")
        self.setAccessibleName(self.tr("Differences"))
        self.resize(760, 560)
        self.summary = QLabel()
        self.summary.setObjectName("codeDiffSummary")
        self.summary.setWordWrap(True)
        self.view = CodeEditor()
        self.view.setObjectName("codeDiffView")
        self.view.setAccessibleName(self.tr("Unified diff"))
        self.view.set_line_numbers(False)  # a diff's own line numbers are in its hunk headers
        self.find_bar = FindBar(self.view)
        self.buttons = QDialogButtonBox()
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.find_bar)
        layout.addWidget(self.buttons)

    def set_diff(self, title: str, diff: str, what: str) -> None:
        self.setWindowTitle(title)
        n, removed = diff_stats(diff)
        if diff:
            text = QCoreApplication.translate(
                "DiffDialog", "{what}: %n line(s) added, {removed} removed.", None, n
            )
            self.summary.setText(text.format(what=what, removed=removed))
        else:
            self.summary.setText(self.tr("{what}: no differences.").format(what=what))
        self.view.set_code(diff or self.tr("(no differences)"), "diff")

    def show_diff(self, title: str, diff: str, what: str) -> None:
        """Show the diff with a Close button, without blocking."""
        self.set_diff(title, diff, what)
        self.buttons.setStandardButtons(QDialogButtonBox.StandardButton.Close)
        self.setModal(False)
        self.show()
        self.raise_()
        self.activateWindow()

    def ask_to_apply(self, title: str, diff: str, what: str) -> bool:
        """Show the diff with Apply / Cancel; True if the user applies."""
        self.set_diff(title, diff, what)
        self.buttons.setStandardButtons(
            QDialogButtonBox.StandardButton.Apply | QDialogButtonBox.StandardButton.Cancel
        )
        apply = self.buttons.button(QDialogButtonBox.StandardButton.Apply)
        apply.setObjectName("codeApplyConfirm")
        apply.clicked.connect(self.accept)
        return self.exec() == QDialog.DialogCode.Accepted
