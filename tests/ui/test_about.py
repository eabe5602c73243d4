"""Help → About: version, Qt version, licence and the data folder, from the menu."""

from __future__ import annotations

import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel

from app import APP_NAME, __version__
from app.ui.about import AboutDialog


def about_action(window):
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    return next(a for a in help_menu.actions() if a.text() == f"&About {APP_NAME}")


def test_about_from_the_help_menu_tells_versions_licence_and_data_folder(window, qtbot):
    about_action(window).trigger()
    dialog = window.findChild(AboutDialog, "aboutDialog")
    assert dialog is not None and dialog.isVisible()
    profile = window.history.path.parent
    details = dialog.findChild(QLabel, "aboutDetails").text()
    for expected in (__version__, qVersion(), PySide6.__version__, "MIT", str(profile)):
        assert expected in details

    dialog.copy_details()
    copied = QGuiApplication.clipboard().text()
    assert copied.startswith(f"{APP_NAME}\nVersion: {__version__}\nQt: {qVersion()}")
    assert f"Data folder: {profile}" in copied

    dialog.reject()
    qtbot.waitUntil(lambda: window.findChild(AboutDialog, "aboutDialog") is None)
