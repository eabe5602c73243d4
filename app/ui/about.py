"""The application icon and the About dialog (version, Qt version, licence, data folder)."""

from __future__ import annotations

import platform
from html import escape
from pathlib import Path

import PySide6
from PySide6.QtCore import QCoreApplication, QSize, Qt, QUrl, qVersion
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME, __version__
from app.ui.icon import app_icon

LICENCE = "MIT"


def about_details(data_folder: Path) -> list[tuple[str, str]]:
    """What the About dialog shows, in the user's language (the labels are translated)."""

    return [
        (QCoreApplication.translate("AboutDialog", "Version"), __version__),
        ("Qt", f"{qVersion()} (PySide6 {PySide6.__version__})"),
        ("Python", f"{platform.python_version()} on {platform.system()} {platform.machine()}"),
        (QCoreApplication.translate("AboutDialog", "Licence"), LICENCE),
        (QCoreApplication.translate("AboutDialog", "Data folder"), str(data_folder)),
    ]


class AboutDialog(QDialog):
    def __init__(self, data_folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setAccessibleName(self.tr("About {app}").format(app=APP_NAME))
        self.setWindowTitle(self.tr("About {app}").format(app=APP_NAME))
        self.data_folder = data_folder
        self.details = about_details(data_folder)

        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(QSize(96, 96)))
        logo.setAlignment(Qt.AlignmentFlag.AlignTop)
        title = QLabel(f"<h2 style='margin:0'>{APP_NAME} {__version__}</h2>")
        summary = QLabel(self.tr("A native desktop chat and coding assistant for GLM-4-32B."))
        summary.setWordWrap(True)
        rows = "".join(
            f"<tr><td style='padding-right:12px'><b>{name}</b></td><td>{escape(value)}</td></tr>"
            for name, value in self.details
        )
        facts = QLabel(f"<table>{rows}</table>")
        facts.setObjectName("aboutDetails")
        facts.setTextFormat(Qt.TextFormat.RichText)
        facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        text = QVBoxLayout()
        text.addWidget(title)
        text.addWidget(summary)
        text.addSpacing(8)
        text.addWidget(facts)
        top = QHBoxLayout()
        top.addWidget(logo)
        top.addSpacing(12)
        top.addLayout(text, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        open_folder = QPushButton(self.tr("Open data folder"))
        open_folder.setObjectName("aboutOpenDataFolder")
        open_folder.clicked.connect(self.open_data_folder)
        copy = QPushButton(self.tr("Copy details"))
        copy.setObjectName("aboutCopyDetails")
        copy.clicked.connect(self.copy_details)
        buttons.addButton(open_folder, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addSpacing(8)
        layout.addWidget(buttons)

    def details_text(self) -> str:
        return "\n".join([APP_NAME, *(f"{name}: {value}" for name, value in self.details)])

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details_text())

    def open_data_folder(self) -> bool:
        self.data_folder.mkdir(parents=True, exist_ok=True)
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.data_folder)))
