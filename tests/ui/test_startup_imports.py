"""Only what the first frame needs is imported before it is painted."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.app_process import ROOT

# Run as the app runs (`main()`), recording the loaded modules when the first Paint begins.
SCRIPT = """
import json, linecache, sys
import app.ui.first_frame as first_frame

seen = []
kept = []
watch = first_frame.FirstFrame.eventFilter

def recording(self, watched, event):
    done = watch(self, watched, event)
    if self.at_ms is not None and not seen:
        seen.append(sorted(sys.modules))
        kept.append(len(linecache.cache))
    return done

first_frame.FirstFrame.eventFilter = recording
import app.main
status = app.main.main(["--smoke", "--no-crash-dialog", "--profile", *sys.argv[1:]])
print(json.dumps({"status": status, "modules": seen and seen[0], "sources": kept and kept[0],
                  "final": sorted(sys.modules)}))
"""

LATER = ("httpx", "httpcore", "pygments.lexers", "pygments.styles", "markdown_it", "keyring")
LATER += ("secretstorage", "jeepney", "email.utils", "uuid", "click", "rich", "app.core.warmup")
LATER += ("app.ui.settings_dialog", "app.ui.local_server_dialog", "app.ui.welcome")
LATER += ("app.core.tools.workspace", "app.core.tools.toolbox", "app.core.tools.glm_text")
LATER += ("pathspec", "difflib")
MCP_SDK = ("mcp", "mcp_types", "anyio", "pydantic", "pydantic_core", "starlette", "httpx2")
LATER += (*MCP_SDK, "app.core.mcp.tools", "app.core.mcp.stdio")


def first_frame_state(tmp_path, *args: str) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "profile"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["status"] == 0 and result["modules"], out.stdout
    return result


def test_the_first_frame_is_painted_before_the_heavy_imports(tmp_path):
    result = first_frame_state(tmp_path)
    loaded = set(result["modules"]) - {"httpx._main"}  # the app's block on httpx's CLI
    assert "app.ui.main_window" in loaded  # the window itself is there
    early = sorted(m for m in loaded if any(m == n or m.startswith(n + ".") for n in LATER))
    assert early == []


def test_configured_mcp_servers_cost_nothing_until_one_is_used(tmp_path):
    """Servers in the profile's mcp.json and from --mcp-config: the SDK (pydantic, anyio,
    ~0.7 s) is not loaded before the first frame, nor at all in a run that uses none."""
    profile = tmp_path / "profile"
    profile.mkdir()
    (profile / "mcp.json").write_text('{"mcpServers": {"git": {"command": "uvx"}}}')
    extra = tmp_path / "more.json"
    extra.write_text('{"mcpServers": {"time": {"command": "mcp-server-time"}}}')
    result = first_frame_state(tmp_path, "--mcp-config", str(extra))
    loaded = set(result["modules"])
    assert "app.services.mcp" in loaded  # the servers are known...
    final = set(result["final"])
    sdk = sorted(m for m in final if any(m == n or m.startswith(n + ".") for n in MCP_SDK))
    assert sdk == []  # ...and nothing of the SDK was ever imported


def test_the_sources_of_imported_modules_are_not_kept_in_memory(tmp_path):
    """PySide6's import hook read each module's source into linecache (13 MiB); the app
    answers its question from the file instead."""
    result = first_frame_state(tmp_path)
    assert len(result["modules"]) > 300  # the app is all there
    assert result["sources"] < 10
