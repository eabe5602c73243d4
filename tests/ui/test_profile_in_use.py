"""A second GLM Desk on a profile in use: a dialog in the user's language when there is a
screen, the same words on stderr, and EXIT_PROFILE_IN_USE."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox

from app.core.profile import EXIT_PROFILE_IN_USE, ProfileInUse
from app.main import parse_args, profile_in_use
from app.ui.i18n import install_translators


@pytest.fixture
def shown(qapp, monkeypatch) -> list[QMessageBox]:
    """Dialogs shown (and closed at once), as if on a real screen."""
    boxes: list[QMessageBox] = []
    monkeypatch.setattr(QGuiApplication, "platformName", staticmethod(lambda: "xcb"))
    monkeypatch.setattr(QMessageBox, "exec", lambda box: boxes.append(box) or 0)
    yield boxes
    install_translators(qapp, "en")  # as the other tests expect


def test_a_dialog_says_who_has_the_profile_and_what_to_do(shown, tmp_path, capsys):
    args = parse_args(["--profile", str(tmp_path)])
    assert profile_in_use(args, ProfileInUse(tmp_path, 4242)) == EXIT_PROFILE_IN_USE == 3
    (box,) = shown
    assert box.objectName() == "profileInUseDialog"
    assert box.windowTitle() == "GLM Desk is already running"
    assert box.icon() == QMessageBox.Icon.Warning
    assert f"(process 4242) is using the profile folder {tmp_path}." in box.text()
    assert "glm-desk --profile DIR" in box.text()
    assert capsys.readouterr().err == f"glm-desk: {box.text()}\n"


def test_in_the_profiles_language_and_without_a_dialog_for_ci(shown, tmp_path, capsys):
    (tmp_path / "settings.json").write_text('{"version": 1, "language": "zh_CN"}')
    args = parse_args(["--profile", str(tmp_path)])
    assert profile_in_use(args, ProfileInUse(tmp_path, None)) == EXIT_PROFILE_IN_USE
    (box,) = shown
    assert box.windowTitle() == "GLM Desk 已在运行"
    assert box.text().startswith(f"另一个 GLM Desk 正在使用数据文件夹 {tmp_path}。")
    capsys.readouterr()
    quiet = parse_args(["--profile", str(tmp_path), "--no-crash-dialog"])
    assert profile_in_use(quiet, ProfileInUse(tmp_path, 7)) == EXIT_PROFILE_IN_USE
    assert len(shown) == 1  # no second dialog
    assert "另一个 GLM Desk（进程 7）正在使用数据文件夹" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["settings.json"]  # nothing written
