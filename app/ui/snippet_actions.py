"""The code pane's file side: Save as, Save all, Compare with file, Apply to file.

A mixin of CodePane. Every dialog is behind a small method (`_ask_save_path`, `_ask_folder`,
`_ask_open_path`, `_confirm_apply`, `_confirm_save_all`) that tests replace; files are small
and written on the GUI thread, and a file to compare is read only after its size is checked.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from app.core.snippets import (
    FileRefused,
    Snippet,
    SnippetGroup,
    apply_with_backup,
    file_name,
    file_text_for,
    read_text_file,
    save_all_names,
    unified_diff,
    write_files,
    write_text,
)
from app.services.translation import exception_text
from app.ui.diff_dialog import DiffDialog

if TYPE_CHECKING:
    _Base = QWidget
else:
    _Base = object


class SnippetFileActions(_Base):
    # Provided by CodePane.
    _groups: list[SnippetGroup]
    _last_dir: str

    if TYPE_CHECKING:

        def current_snippet(self) -> Snippet | None: ...
        def current_code(self) -> str: ...
        def _code_of(self, snippet: Snippet) -> str: ...
        def _say(self, text: str, error: bool = False) -> None: ...
        def _diff_window(self) -> DiffDialog: ...

    def save_current(self) -> None:
        snippet = self.current_snippet()
        if snippet is None:
            return
        path = self._ask_save_path(str(Path(self._last_dir) / file_name(snippet)))
        if not path:
            return
        try:
            write_text(Path(path), file_text_for(self.current_code()))
        except OSError as e:
            self._say(
                QCoreApplication.translate(
                    "SnippetFileActions", "Could not save {name}: {error}"
                ).format(name=Path(path).name, error=e.strerror or e),
                error=True,
            )
            return
        self._last_dir = str(Path(path).parent)
        self._say(
            QCoreApplication.translate("SnippetFileActions", "Saved {path}").format(path=path)
        )

    def save_all(self) -> None:
        if not self._groups:
            return
        folder = self._ask_folder()
        if not folder:
            return
        snippets = [g.snippet for g in self._groups]
        names = save_all_names([(s.name, s.language) for s in snippets])
        existing = [str(n) for n in names if (Path(folder) / n).exists()]
        # The names come from the model: show every one before anything is written.
        if not self._confirm_save_all(folder, [str(n) for n in names], existing):
            return
        files = [(n, file_text_for(self._code_of(s))) for n, s in zip(names, snippets, strict=True)]
        try:
            written = write_files(Path(folder), files)
        except (OSError, FileRefused) as e:
            error = exception_text(e) if isinstance(e, FileRefused) else str(e)
            self._say(
                QCoreApplication.translate(
                    "SnippetFileActions", "Could not save all: {error}"
                ).format(error=error),
                error=True,
            )
            return
        self._last_dir = folder
        n = len(written)
        self._say(
            QCoreApplication.translate(
                "SnippetFileActions", "Saved %n file(s) to {folder}", None, n
            ).format(folder=folder)
        )

    def _read_for_compare(self, title: str) -> tuple[Path, str] | None:
        path = self._ask_open_path(title)
        if not path:
            return None
        try:
            return Path(path), read_text_file(Path(path))
        except FileRefused as e:
            self._say(
                QCoreApplication.translate("SnippetFileActions", "{error}.").format(
                    error=exception_text(e)
                ),
                error=True,
            )
            return None

    def compare_with_file(self) -> None:
        snippet = self.current_snippet()
        picked = (
            self._read_for_compare(
                QCoreApplication.translate("SnippetFileActions", "Compare with file")
            )
            if snippet
            else None
        )
        if picked is None:
            return
        path, existing = picked
        diff = unified_diff(existing, file_text_for(self.current_code(), existing),
                            str(path), "snippet")  # fmt: skip
        self._diff_window().show_diff(
            QCoreApplication.translate("SnippetFileActions", "{name} ↔ snippet").format(
                name=path.name
            ),
            diff,
            QCoreApplication.translate("SnippetFileActions", "{name} → snippet").format(
                name=path.name
            ),
        )
        self._say(
            QCoreApplication.translate("SnippetFileActions", "Compared with {path}").format(
                path=path
            )
        )

    def apply_to_file(self) -> None:
        snippet = self.current_snippet()
        picked = (
            self._read_for_compare(
                QCoreApplication.translate("SnippetFileActions", "Apply to file")
            )
            if snippet
            else None
        )
        if picked is None:
            return
        path, existing = picked
        new_text = file_text_for(self.current_code(), existing)
        if new_text == existing:
            self._say(
                QCoreApplication.translate(
                    "SnippetFileActions", "{name} already has this content."
                ).format(name=path.name)
            )
            return
        diff = unified_diff(existing, new_text, str(path), f"{path} (new)")
        if not self._confirm_apply(path, diff):
            self._say(QCoreApplication.translate("SnippetFileActions", "Not applied."))
            return
        try:
            backup = apply_with_backup(path, new_text)
        except OSError as e:
            self._say(
                QCoreApplication.translate(
                    "SnippetFileActions", "Could not write {name}: {error}"
                ).format(name=path.name, error=e.strerror or e),
                error=True,
            )
            return
        if backup:
            text = QCoreApplication.translate(
                "SnippetFileActions", "Applied to {path}; the old file is {backup}"
            ).format(path=path, backup=backup.name)
        else:
            text = QCoreApplication.translate("SnippetFileActions", "Applied to {path}").format(
                path=path
            )
        self._say(text)

    # --- dialogs (replaced in tests) ----------------------------------------------------

    def _ask_save_path(self, default: str) -> str:
        path, _ = QFileDialog.getSaveFileName(
            self, QCoreApplication.translate("SnippetFileActions", "Save snippet as"), default
        )
        return path

    def _ask_folder(self) -> str:
        return QFileDialog.getExistingDirectory(
            self,
            QCoreApplication.translate("SnippetFileActions", "Save all snippets to"),
            self._last_dir,
        )

    def _ask_open_path(self, title: str) -> str:
        path, _ = QFileDialog.getOpenFileName(self, title, self._last_dir)
        return path

    def _confirm_apply(self, path: Path, diff: str) -> bool:
        dialog = DiffDialog(self)
        try:
            return dialog.ask_to_apply(
                QCoreApplication.translate("SnippetFileActions", "Apply to {name}?").format(
                    name=path.name
                ),
                diff,
                QCoreApplication.translate(
                    "SnippetFileActions", "{path} (a backup is written first)"
                ).format(path=path),
            )
        finally:
            dialog.deleteLater()

    def _confirm_save_all(self, folder: str, names: list[str], existing: list[str]) -> bool:
        replaced = set(existing)
        replaces = QCoreApplication.translate(
            "SnippetFileActions", "{name}   (replaces the file there)"
        )
        lines = [replaces.format(name=n) if n in replaced else n for n in names]
        n = len(names)
        box = QMessageBox(
            QMessageBox.Icon.Question,
            QCoreApplication.translate("SnippetFileActions", "Save all snippets?"),
            QCoreApplication.translate(
                "SnippetFileActions", "%n file(s) will be written in {folder}:", None, n
            ).format(folder=folder),
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("codeSaveAllConfirm")
        box.setInformativeText("\n".join(lines[:12]) + ("\n…" if len(lines) > 12 else ""))
        box.setDetailedText("\n".join(lines))
        return box.exec() == QMessageBox.StandardButton.Save
