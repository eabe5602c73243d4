"""The icon, the compiled resources, the launcher files and their install script."""

from __future__ import annotations

import configparser
import importlib.util
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage

from app import APP_ID
from app.ui.icon import ICON_SIZES, app_icon

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "packaging" / "linux"
DESKTOP = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"
INSTALL = LINUX / "install-desktop.sh"


def load_make_icons():  # packaging/ is no package (the name belongs to PyPI's `packaging`)
    spec = importlib.util.spec_from_file_location("make_icons", ROOT / "packaging/make_icons.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is missing: run ./packaging/linux/install-system-deps.sh --test"
    return path


def max_channel_difference(a: QImage, b: QImage) -> int:
    a = a.convertToFormat(QImage.Format.Format_RGBA8888)
    b = b.convertToFormat(QImage.Format.Format_RGBA8888)
    assert (a.width(), a.height()) == (b.width(), b.height())
    da, db = bytes(a.constBits()), bytes(b.constBits())
    return max(abs(x - y) for x, y in zip(da, db, strict=True))


def test_every_png_size_is_rendered_from_the_svg(qapp):
    make_icons = load_make_icons()
    assert make_icons.SIZES == ICON_SIZES
    for size in ICON_SIZES:
        committed = QImage(str(make_icons.png_path(size)))
        assert (committed.width(), committed.height()) == (size, size)
        assert committed.hasAlphaChannel()
        assert committed.pixelColor(0, 0).alpha() == 0  # rounded corners: transparent
        assert committed.pixelColor(size // 2, size // 2).alpha() == 255
        # Antialiasing may differ by a few steps between Qt versions; a stale PNG differs more.
        assert max_channel_difference(committed, make_icons.render(size)) <= 24, size
    scalable = make_icons.HICOLOR / "scalable" / "apps" / f"{APP_ID}.svg"
    assert scalable.read_bytes() == make_icons.SOURCE.read_bytes()


def test_compiled_resources_match_the_files(tmp_path):
    make_icons = load_make_icons()
    assert make_icons.QRC.read_text(encoding="utf-8") == make_icons.qrc_text()
    fresh = tmp_path / "resources_rc.py"
    make_icons.compile_resources(make_icons.QRC, fresh)

    def code(path: Path) -> list[str]:  # the rcc version line may differ; the data may not
        return [line for line in path.read_text().splitlines() if not line.startswith("# ")]

    assert code(fresh) == code(make_icons.RC_MODULE), "run packaging/make_icons.py"


def test_window_icon_has_every_size(qapp):
    icon = app_icon()
    assert not icon.isNull()
    sizes = {(s.width(), s.height()) for s in icon.availableSizes()}
    assert sizes == {(s, s) for s in ICON_SIZES}
    assert icon.pixmap(QSize(48, 48)).toImage().pixelColor(24, 24).alpha() == 255


def test_desktop_file_and_metainfo_validate():
    out = subprocess.run(
        [tool("desktop-file-validate"), str(DESKTOP)], capture_output=True, text=True
    )
    assert out.returncode == 0 and "error" not in out.stdout, out.stdout + out.stderr
    out = subprocess.run(
        [tool("appstreamcli"), "validate", "--no-net", str(METAINFO)],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    entry = read_desktop(DESKTOP)
    assert entry["Icon"] == APP_ID  # the icon files' name, and setDesktopFileName's id
    assert entry["Exec"] == entry["TryExec"] == "glm-desk"
    assert f'<launchable type="desktop-id">{APP_ID}.desktop</launchable>' in METAINFO.read_text()
    assert f"<id>{APP_ID}</id>" in METAINFO.read_text()


def read_desktop(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


@pytest.mark.parametrize("folder", ["plain", "with space", 'odd $dollar`tick"quote'])
def test_install_script_makes_a_launcher_that_starts_the_app(tmp_path, folder):
    """The launcher the script installs is valid, and opening it (as a menu or a double-click
    does, through GLib) runs the named executable, whatever its path holds."""
    data = tmp_path / "data"
    exe_dir = tmp_path / folder
    exe_dir.mkdir()
    marker = tmp_path / "launched"
    exe = exe_dir / "glm-desk"
    exe.write_text(f'#!/bin/sh\nprintf "%s" "$0" > "{marker}"\n')
    exe.chmod(0o755)
    env = {**os.environ, "XDG_DATA_HOME": str(data)}
    subprocess.run([str(INSTALL), "--exec", str(exe)], env=env, check=True, capture_output=True)

    installed = data / "applications" / f"{APP_ID}.desktop"
    out = subprocess.run([tool("desktop-file-validate"), str(installed)], capture_output=True)
    assert out.returncode == 0, out.stdout
    assert (data / "metainfo" / f"{APP_ID}.metainfo.xml").read_bytes() == METAINFO.read_bytes()
    for size in ICON_SIZES:
        assert (data / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png").is_file()
    assert (data / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()

    subprocess.run([tool("gio"), "launch", str(installed)], env=env, check=True, timeout=30)
    for _ in range(100):
        if marker.exists() and marker.read_text():
            break
        time.sleep(0.05)
    assert marker.read_text() == str(exe)

    subprocess.run([str(INSTALL), "--uninstall"], env=env, check=True, capture_output=True)
    left = [p for p in data.rglob("*") if p.is_file() and APP_ID in p.name]
    assert left == []


def test_install_script_refuses_without_an_executable(tmp_path):
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([str(INSTALL)], env=env, capture_output=True, text=True)
    assert out.returncode == 1
    assert "No glm-desk executable found" in out.stderr
    assert not (tmp_path / "data" / "applications").exists()
