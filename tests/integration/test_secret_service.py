"""KeyringStore against a real Secret Service: gnome-keyring on a private D-Bus session.

Each daemon runs under ``dbus-run-session`` in its own process group, with HOME, XDG_DATA_HOME,
XDG_CONFIG_HOME and XDG_RUNTIME_DIR in a temporary directory, so the keyring file lives there
and nothing of the user's is touched. ``gnome-keyring-daemon --unlock`` reads a password from
stdin and creates (or unlocks) the "login" collection with it, which becomes the default one.
An empty password creates nothing: the Secret Service then has no default collection, and
creating one needs a prompt that no one can answer (the locked-keyring case below).

The app's side runs in separate Python processes, as the app would after a restart; the key
is passed on stdin, never on a command line.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
KEY = "sk-glmdesk-secret-service-test-7f3a9c1e5b"
TOOLS = ("dbus-run-session", "dbus-send", "gnome-keyring-daemon")

# Under dbus-run-session: start the daemon in the foreground (so it stays in this process
# group), wait until it owns org.freedesktop.secrets, print the bus address, then wait.
DAEMON_SCRIPT = r"""
printf %s "$GK_PASSWORD" | gnome-keyring-daemon --foreground --unlock --components=secrets \
    >"$GK_LOG" 2>&1 &
i=0
until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null \
        | grep -q 'boolean true'; do
    i=$((i + 1)); [ "$i" -gt 100 ] && { echo "no secret service" >&2; exit 1; }
    sleep 0.1
done
echo "$DBUS_SESSION_BUS_ADDRESS"
exec sleep 3600
"""

# One step of the app's life, in a fresh interpreter: the key arrives on stdin.
STEP = r"""
import json, sys
import keyring
from app.core.secrets import KeyringStore

op, provider = sys.argv[1], sys.argv[2]
store = KeyringStore()
if op == "set":
    store.set(provider, sys.stdin.read())
elif op == "delete":
    store.delete(provider)
value = store.get(provider)
print(json.dumps({
    "keyring": repr(keyring.get_keyring()),
    "backend": store.backend_name,
    "available": store.available,
    "problem": store.problem,
    "value": value,
}))
"""


class SecretService:
    """A private session bus with gnome-keyring on it; `run` executes a STEP against it."""

    def __init__(self, base: Path, password: str) -> None:
        self.base = base
        self.password = password
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DBUS_", "XDG_", "GNOME_KEYRING", "PYTHON_KEYRING"))
        }
        for name in ("home", "data", "config", "runtime", "profile"):
            (base / name).mkdir(parents=True, exist_ok=True)
        (base / "runtime").chmod(0o700)
        self.env.update(
            HOME=str(base / "home"),
            XDG_DATA_HOME=str(base / "data"),
            XDG_CONFIG_HOME=str(base / "config"),  # no keyringrc.cfg of the user's
            XDG_RUNTIME_DIR=str(base / "runtime"),
            GLM_DESK_PROFILE=str(base / "profile"),
            PYTHONPATH=str(ROOT),
        )
        self.proc: subprocess.Popen[str] | None = None

    @property
    def keyring_dir(self) -> Path:
        return self.base / "data" / "keyrings"

    def start(self) -> SecretService:
        env = dict(self.env, GK_PASSWORD=self.password, GK_LOG=str(self.base / "gk.log"))
        self.proc = subprocess.Popen(
            ["dbus-run-session", "--", "sh", "-c", DAEMON_SCRIPT],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            start_new_session=True,  # its own process group: killed as one at the end
        )
        address = self.proc.stdout.readline().strip()  # type: ignore[union-attr]
        if not address:
            self.stop()
            raise RuntimeError(f"gnome-keyring did not start: {self.proc.stderr.read()}")  # type: ignore[union-attr]
        self.env["DBUS_SESSION_BUS_ADDRESS"] = address
        return self

    def stop(self) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
        self.proc.stdout.close()  # type: ignore[union-attr]
        self.proc.stderr.close()  # type: ignore[union-attr]
        deadline = time.monotonic() + 5  # the group's daemon may outlive the session briefly
        while time.monotonic() < deadline and _group_alive(self.proc.pid):
            time.sleep(0.05)
        self.proc = None

    def run(self, op: str, provider: str, key: str = "") -> dict:
        out = subprocess.run(
            [sys.executable, "-c", STEP, op, provider],
            input=key,
            capture_output=True,
            text=True,
            env=self.env,
            cwd=self.base / "home",
            timeout=60,
        )
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _files_with(root: Path, needle: bytes) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]


@pytest.fixture
def secret_service_factory(tmp_path: Path) -> Iterator:
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        pytest.fail(
            f"{', '.join(missing)} missing: run packaging/linux/install-system-deps.sh --test "
            "(gnome-keyring, dbus, dbus-x11)"
        )
    started: list[SecretService] = []

    def start(password: str, base: Path | None = None) -> SecretService:
        service = SecretService(base or tmp_path / "keyring-profile", password).start()
        started.append(service)
        return service

    yield start
    for service in started:
        service.stop()


def test_a_key_saved_in_gnome_keyring_survives_a_restart_and_is_deleted(secret_service_factory):
    password = "login-password-for-this-test"
    service = secret_service_factory(password)

    saved = service.run("set", "zai", KEY)
    assert "SecretService" in saved["keyring"], saved  # keyring chose the Secret Service
    assert saved["available"] and saved["problem"] == "", saved
    assert saved["value"] == KEY

    # The app restarted: a new process reads it back.
    assert service.run("get", "zai")["value"] == KEY
    assert service.run("get", "openrouter")["value"] is None  # one entry per provider

    # The whole session restarted: a new bus, a new daemon over the same keyring file.
    service.stop()
    service = secret_service_factory(password, service.base)
    assert service.run("get", "zai")["value"] == KEY

    # Never in a file in clear: not in the profile, not in the keyring gnome-keyring wrote.
    keyring_files = sorted(service.keyring_dir.glob("*.keyring"))
    assert keyring_files, list(service.keyring_dir.iterdir())
    assert _files_with(service.base, KEY.encode()) == []
    assert _files_with(service.base, KEY.encode("utf-16-le")) == []

    deleted = service.run("delete", "zai")
    assert deleted["value"] is None and deleted["available"]
    assert service.run("get", "zai")["value"] is None


def test_no_default_collection_degrades_to_a_session_key(secret_service_factory):
    # An empty password makes gnome-keyring create no login keyring: the service answers,
    # but saving needs a collection only an (impossible here) prompt could create.
    service = secret_service_factory("")
    result = service.run("set", "zai", KEY)
    assert "SecretService" in result["keyring"], result
    assert result["value"] == KEY  # kept in memory: the app goes on working
    assert not result["available"]
    assert "locked or has no default collection" in result["problem"]
    assert "session only" in result["problem"]
    assert KEY not in result["problem"]
    assert _files_with(service.base, KEY.encode()) == []
    assert service.run("get", "zai")["value"] is None  # and nothing outlived the session


def test_without_a_session_bus_there_is_no_keyring(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBUS_", "PYTHON_KEYRING"))}
    env.update(
        DBUS_SESSION_BUS_ADDRESS=f"unix:path={tmp_path / 'no-bus'}",
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        PYTHONPATH=str(ROOT),
    )
    out = subprocess.run(
        [sys.executable, "-c", STEP, "set", "zai"],
        input=KEY,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["value"] == KEY and not result["available"]
    assert result["problem"].startswith("No keyring service is running"), result


# The MCP side of one run: import a Claude Desktop file (a token in a server's env), or
# start that server after a restart and have it read the token from its environment.
MCP_STEP = r"""
import asyncio, json, os, sys
from pathlib import Path
from PySide6.QtCore import QCoreApplication
from app.core.secrets import KeyringStore
from app.services.mcp import McpService

app = QCoreApplication([])
op, profile = sys.argv[1], Path(sys.argv[2])
service = McpService(KeyringStore(), profile)

async def main():
    if op == "import":
        parsed = await service.import_text(sys.stdin.read())
        return {"imported": [s.name for s in parsed.servers]}
    result = await service.hub.call("echo", "env", {"name": "GH_TOKEN"}, 30)
    return {"token": result.text}

print(json.dumps(asyncio.run(main())))
service.hub.shutdown()
"""


def test_an_mcp_servers_token_lives_in_gnome_keyring_and_reaches_only_its_server(
    secret_service_factory,
):
    service = secret_service_factory("login-password-for-this-test")
    profile = service.base / "profile"
    token = "ghp_mcpTokenInTheRealKeyring0123456789"
    echo = ROOT / "tests" / "mcp_servers" / "echo_server.py"
    config = {
        "globalShortcut": "",
        "mcpServers": {
            "echo": {"command": sys.executable, "args": [str(echo)], "env": {"GH_TOKEN": token}}
        },
    }

    def step(op: str, stdin: str = "") -> dict:
        out = subprocess.run(
            [sys.executable, "-c", MCP_STEP, op, str(profile)],
            input=stdin,
            capture_output=True,
            text=True,
            env={**service.env, "QT_QPA_PLATFORM": "offscreen"},
            cwd=service.base / "home",
            timeout=90,
        )
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout.strip().splitlines()[-1])

    assert step("import", json.dumps(config)) == {"imported": ["echo"]}
    assert step("call") == {"token": token}  # a restart: read back from the keyring
    saved = json.loads((profile / "mcp.json").read_text())
    assert saved["mcpServers"]["echo"]["envKeys"] == ["GH_TOKEN"]
    assert _files_with(service.base, token.encode()) == []  # no file has it in the clear
