"""The double-click app: build the bundle from this checkout with packaging/build.sh, then use it
as a person would (offscreen, and through its installed launcher on a real X server).

Slow (about a minute with a warm pip cache): the build environment and PyInstaller's work files
are kept under ~/.cache/glm-desk/, keyed by Python version and build requirements.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import APP_ID, __version__

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow

DEV_PACKAGES = {"pytest", "_pytest", "pytestqt", "hypothesis", "ruff", "pip", "setuptools"}
DEV_PACKAGES |= {"pkg_resources", "wheel", "PyInstaller", "tests", "tkinter"}
# Provided by every Wayland session; this build machine has none, so they are not bundled.
SYSTEM_ONLY = re.compile(r"^libwayland-")


def build_cache() -> Path:
    key = hashlib.sha256((ROOT / "packaging" / "requirements-build.txt").read_bytes())
    version = f"py{sys.version_info.major}.{sys.version_info.minor}"
    return Path.home() / ".cache" / "glm-desk" / f"bundle-build-{version}-{key.hexdigest()[:12]}"


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> tuple[Path, Path]:
    """(dist folder, work folder) of a fresh build of this checkout."""
    dist = tmp_path_factory.mktemp("dist")
    work = build_cache()
    work.mkdir(parents=True, exist_ok=True)
    out = subprocess.run(
        [str(ROOT / "packaging" / "build.sh"), "--dist", str(dist), "--work", str(work)],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    return dist, work


@pytest.fixture(scope="module")
def bundle(build) -> Path:
    return build[0] / "glm-desk"


def run_bundle(bundle: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(bundle / "glm-desk"), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        cwd="/",  # nothing may come from the checkout
    )


def test_bundle_starts_offscreen(bundle, tmp_path):
    env = {"QT_QPA_PLATFORM": "offscreen", "GLM_DESK_PROFILE": str(tmp_path / "profile")}
    out = run_bundle(bundle, "--smoke", "--no-crash-dialog", env=env)
    assert out.returncode == 0, out.stderr
    smoke = r"glm-desk smoke: first frame \d+ ms, ready \d+ ms, window visible: True\n"
    assert re.fullmatch(smoke, out.stdout)
    assert "Cannot find font" not in out.stderr and "Fontconfig error" not in out.stderr
    assert (tmp_path / "profile" / "history.db").is_file()

    version = run_bundle(bundle, "--version", env=env)
    assert (version.returncode, version.stdout) == (0, f"glm-desk {__version__}\n")


def running(pid: int) -> bool:
    """The process runs (a zombie its init has not reaped yet has no command line)."""
    try:
        return bool(Path(f"/proc/{pid}/cmdline").read_bytes())
    except OSError:
        return False


def test_the_bundle_runs_an_mcp_server(bundle, tmp_path):
    """The SDK in the bundle (imported on the MCP thread only) starts a real stdio server:
    a server marked "start with the app" gets ready, and ends when the app quits."""
    echo = ROOT / "tests" / "mcp_servers" / "echo_server.py"
    config = tmp_path / "servers.json"
    entry = {"command": sys.executable, "args": [str(echo)], "startWithApp": True}
    config.write_text(json.dumps({"mcpServers": {"echo": entry}}))
    profile = tmp_path / "profile"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "GLM_DESK_PROFILE": str(profile)}
    app = subprocess.Popen(
        [str(bundle / "glm-desk"), "--no-crash-dialog", "--provider", "openrouter"]
        + ["--mcp-config", str(config)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd="/",  # nothing may come from the checkout
    )
    log = profile / "logs" / "mcp-echo.log"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (log.exists() and "ready:" in log.read_text()):
            assert app.poll() is None, app.stderr.read().decode() if app.stderr else ""
            time.sleep(0.2)
        assert "ready: echo-test (MCP" in log.read_text() and "8 tools" in log.read_text()
        pid = json.loads((profile / "mcp-pids" / "echo.json").read_text())["pid"]
        app.send_signal(signal.SIGTERM)
        assert app.wait(30) == 0
        assert not (profile / "mcp-pids" / "echo.json").exists()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and running(pid):
            time.sleep(0.05)
        assert not running(pid)
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()


def test_bundle_holds_what_it_needs_and_no_dev_tools(build, bundle):
    dist, work = build
    listing = subprocess.run(
        [str(work / "venv" / "bin" / "pyi-archive_viewer"), "-r", "-b", str(bundle / "glm-desk")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    modules = {line.strip() for line in listing.splitlines()}
    top = {name.split(".")[0] for name in modules}
    assert not top & DEV_PACKAGES, sorted(top & DEV_PACKAGES)
    assert not top & {"numpy", "gguf"}  # the GGUF header is read without them (40 MiB)
    for needed in ("app.main", "app.resources_rc", "httpx", "qasync", "markdown_it.main"):
        assert needed in modules, needed
    for needed in ("mcp.client.client", "mcp_types", "anyio._backends._asyncio"):
        assert needed in modules, needed
    assert not top & {"uvicorn"} and "mcp.cli" not in modules  # a client needs neither
    # Pygments loads lexers and styles by name: the ones the app names must be there
    for needed in ("pygments.lexers.python", "pygments.lexers.shell", "pygments.styles.monokai"):
        assert needed in modules, needed
    # keyring finds its backends through entry points; Secret Service needs secretstorage
    for needed in ("keyring.backends.SecretService", "secretstorage", "jeepney"):
        assert needed in modules, needed
    internal = bundle / "_internal"
    entry_points = next(internal.glob("keyring-*.dist-info")) / "entry_points.txt"
    assert "keyring.backends.SecretService" in entry_points.read_text()

    platforms = {p.name for p in (internal / "PySide6/Qt/plugins/platforms").iterdir()}
    assert {"libqxcb.so", "libqoffscreen.so", "libqwayland.so"} <= platforms
    assert "libqeglfs.so" not in platforms and "libqvnc.so" not in platforms
    assert not (internal / "PySide6/Qt/plugins/platformthemes/libqgtk3.so").exists()
    assert (internal / "PySide6/Qt/translations/qtbase_zh_CN.qm").is_file()


def needed_libraries(path: Path) -> list[str]:
    out = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", out)


def test_every_bundled_library_is_used_and_resolves(bundle):
    internal = bundle / "_internal"
    elves = [p for p in internal.rglob("*.so*") if p.is_file() and not p.is_symlink()]
    needed: set[str] = set()
    for path in [bundle / "glm-desk", *elves]:
        needed.update(needed_libraries(path))
    # Left over after the spec dropped a plugin: a library nothing in the bundle needs.
    # (Python extension modules are imported, not linked; the bootloader loads libpython.)
    top_level = [p for p in elves if p.parent in (internal, internal / "PySide6/Qt/lib")]
    unused = [p.name for p in top_level if p.name not in needed and ".cpython-" not in p.name]
    assert unused == [f"libpython{sys.version_info.major}.{sys.version_info.minor}.so.1.0"], unused
    # Each library finds what it needs, in the bundle or from the system.
    env = {**os.environ, "LD_LIBRARY_PATH": f"{internal}:{internal / 'PySide6/Qt/lib'}"}
    missing = set()
    for path in elves:
        out = subprocess.run(["ldd", str(path)], capture_output=True, text=True, env=env).stdout
        for name in re.findall(r"^\s*(\S+) => not found", out, re.M):
            if not SYSTEM_ONLY.match(name):
                missing.add(f"{path.relative_to(internal)}: {name}")
    assert not missing, sorted(missing)


def test_archive_unpacks_to_a_runnable_app(build, tmp_path):
    dist, _ = build
    archive = dist / f"glm-desk-{__version__}-linux-{os.uname().machine}.tar.gz"
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        tar.extractall(tmp_path, filter="tar")
    top = f"glm-desk-{__version__}"
    for name in (
        "glm-desk",
        "install-desktop.sh",
        "LICENSE",
        f"share/applications/{APP_ID}.desktop",
        f"share/metainfo/{APP_ID}.metainfo.xml",
        f"share/icons/hicolor/256x256/apps/{APP_ID}.png",
    ):
        assert f"{top}/{name}" in names, name
    app = tmp_path / top
    assert os.access(app / "glm-desk", os.X_OK) and os.access(app / "install-desktop.sh", os.X_OK)
    env = {"QT_QPA_PLATFORM": "offscreen", "GLM_DESK_PROFILE": str(tmp_path / "profile")}
    assert run_bundle(app, "--smoke", "--no-crash-dialog", env=env).returncode == 0


@pytest.fixture
def xvfb(tmp_path) -> Iterator[str]:
    """A real X server on a free display; yields the DISPLAY value."""
    assert shutil.which("Xvfb"), "Xvfb is missing: run ./packaging/linux/install-system-deps.sh"
    read, write = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as f:
        display = f":{f.readline().strip()}"
    try:
        yield display
    finally:
        proc.terminate()
        proc.wait(10)


def x11(display: str, *cmd: str, timeout: float = 30) -> str:
    env = {**os.environ, "DISPLAY": display}
    return subprocess.run(
        cmd, env=env, capture_output=True, text=True, check=True, timeout=timeout
    ).stdout


def main_window(display: str) -> tuple[str, int]:
    """The app's main window and its process. Qt also makes a window of the same name that
    is never shown and has no process id (_NET_WM_PID); which one xdotool lists first varies."""
    for _ in range(50):
        found = x11(display, "xdotool", "search", "--sync", "--name", "^GLM Desk$").split()
        for window in found:
            pid = subprocess.run(
                ["xdotool", "getwindowpid", window],
                env={**os.environ, "DISPLAY": display},
                capture_output=True,
                text=True,
            ).stdout.strip()
            if pid.isdigit():
                return window, int(pid)
        time.sleep(0.1)
    raise AssertionError("no window named GLM Desk has a process id")


def test_launcher_opens_the_bundle_on_a_real_display(bundle, xvfb, tmp_path):
    """Install the launcher, open it as a double-click does (GLib's `gio launch`), and read the
    window back from the X server: named, with the app's icon, and with real glyphs (OCR)."""
    data, profile = tmp_path / "data", tmp_path / "profile"
    env = {
        **os.environ,
        "XDG_DATA_HOME": str(data),
        "DISPLAY": xvfb,
        "GLM_DESK_PROFILE": str(profile),
    }
    env.pop("QT_QPA_PLATFORM")  # the xcb platform, as on a desktop
    subprocess.run([str(bundle / "install-desktop.sh")], env=env, check=True, capture_output=True)
    launcher = data / "applications" / f"{APP_ID}.desktop"
    subprocess.run(["gio", "launch", str(launcher)], env=env, check=True, timeout=30)

    window, pid = main_window(xvfb)
    try:
        props = x11(xvfb, "xprop", "-id", window, "WM_CLASS", "_NET_WM_ICON")
        assert 'WM_CLASS(STRING) = "glm-desk", "GLM Desk"' in props  # StartupWMClass=glm-desk
        assert "Icon (48 x 48)" in props and "Icon (128 x 128)" in props  # Qt sends ≤ 128
        assert os.path.realpath(f"/proc/{pid}/exe") == str((bundle / "glm-desk").resolve())
        # A first start: the welcome comes up over the window; Esc skips it.
        welcome = x11(xvfb, "xdotool", "search", "--sync", "--name", "^Welcome to GLM Desk$")
        time.sleep(1.0)  # first paint
        words = ocr_words(screenshot(xvfb, tmp_path / "bundle-welcome-xvfb.png"))
        assert {"Welcome", "Skip", "key"} <= words, words
        x11(xvfb, "xdotool", "windowfocus", "--sync", welcome.split()[0])
        x11(xvfb, "xdotool", "key", "Escape")
        time.sleep(1.0)
        words = ocr_words(screenshot(xvfb, tmp_path / "bundle-xvfb.png"))
        assert {"File", "Edit", "Help", "Conversations", "Send", "Ready"} <= words, words
        assert "Welcome" not in words
        assert json.loads((profile / "settings.json").read_text())["general.welcome_done"]
        assert (profile / "history.db").is_file()

        # Ctrl+Q quits cleanly, as from the keyboard
        x11(xvfb, "xdotool", "windowfocus", "--sync", window)
        x11(xvfb, "xdotool", "key", "ctrl+q")
        for _ in range(100):
            if not Path(f"/proc/{pid}").exists() or _zombie(pid):
                break
            time.sleep(0.05)
        else:
            pytest.fail("Ctrl+Q did not end the app")
    finally:
        if Path(f"/proc/{pid}").exists() and not _zombie(pid):
            os.kill(pid, signal.SIGKILL)


def screenshot(display: str, shot: Path) -> Path:
    x11(display, "import", "-window", "root", str(shot))
    if os.environ.get("GLM_DESK_SCREENSHOTS"):
        shutil.copy(shot, Path(os.environ["GLM_DESK_SCREENSHOTS"]) / shot.name)
    return shot


def ocr_words(shot: Path) -> set[str]:
    """The words tesseract reads, with its page layout and as sparse text (a window's small
    buttons: the layout analysis alone missed "Send" beside a row of toggles)."""
    assert shutil.which("tesseract"), "tesseract is missing: run install-system-deps.sh --test"
    words: set[str] = set()
    for mode in ([], ["--psm", "11"]):
        text = subprocess.run(
            ["tesseract", str(shot), "-", *mode], capture_output=True, text=True, check=True
        ).stdout
        words |= set(re.findall(r"\w+", text))
    return words


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return False


def test_the_bundle_runs_the_snippet_launcher(bundle, tmp_path):
    """The bundle has no Python of its own to give launcher.py: `glm-desk __run-snippet__`
    is the launcher (limits, report), and its `setup` the namespace sandbox's inside."""
    import json

    from app.core.runner.sandbox import Layer, clean_env, hidden_dirs, namespaces_argv, probe

    work = tmp_path / "work"
    work.mkdir()
    work.chmod(0o777)
    report = tmp_path / "report.json"
    spec = tmp_path / "spec.json"
    spec.write_text(
        json.dumps(
            {
                "argv": ["/bin/sh", "-c", "echo from-the-bundle; exit 3"],
                "limits": {"cpu": 5, "memory": 512 * 1024 * 1024, "files": 64},
                "timeout": 10,
                "report": str(report),
                "drop_to": None,
            }
        )
    )
    out = run_bundle(bundle, "__run-snippet__", "run", str(spec), env=clean_env(str(work)))
    assert out.returncode == 0 and out.stdout == "from-the-bundle\n", out.stderr
    assert json.loads(report.read_text())["exit_code"] == 3
    if not probe(Layer.NAMESPACES).works:
        return
    setup = tmp_path / "setup.json"
    setup.write_text(
        json.dumps(
            {
                "hide": hidden_dirs(),
                "keep": [],
                "work": str(work),
                "argv": ["/bin/sh", "-c", "ls ~ /tmp; echo inside"],
                **({"drop_to": 65534} if os.geteuid() == 0 else {}),
            }
        )
    )
    argv = namespaces_argv("unshare", str(setup), network=False)
    launcher = argv.index("setup") - 1  # ours, unfrozen: put the bundle's in its place
    argv = [
        *argv[: argv.index("--") + 1],
        str(bundle / "glm-desk"),
        "__run-snippet__",
        *argv[launcher + 1 :],
    ]
    done = subprocess.run(
        argv, capture_output=True, text=True, timeout=30, env=clean_env(str(work))
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("inside")
