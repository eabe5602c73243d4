"""Layering rules (ARCHITECTURE.md) that code review alone would not keep."""

from __future__ import annotations

import os
import pkgutil
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import app.core


def test_core_imports_no_qt():
    modules = [f"app.core.{m.name}" for m in pkgutil.iter_modules(app.core.__path__)]
    assert len(modules) >= 8
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "qt = ('PySide6', 'shiboken6', 'qasync')\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in qt)\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"app.core pulled in Qt: {out.stdout}"


# --- the import contracts in pyproject.toml ([tool.importlinter]), checked by import-linter ---

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def contracts() -> dict[str, str]:
    """The contracts' ids and names, as pyproject.toml declares them."""
    with open(ROOT / "pyproject.toml", "rb") as f:
        declared = tomllib.load(f)["tool"]["importlinter"]["contracts"]
    return {c["id"]: c["name"] for c in declared}


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` on the `app` package and the pyproject.toml in `cwd` (import-linter puts
    `cwd` first on the path, so a copy there is what it reads)."""
    assert LINT_IMPORTS.is_file(), f"no {LINT_IMPORTS}: pip install -e '.[test]'"
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "500"},  # one line per contract, not wrapped at 80
        timeout=120,
    )


def verdicts(output: str) -> dict[str, str]:
    """Each contract's id and "KEPT" or "BROKEN", from lint-imports' report."""
    found = {}
    for cid, name in contracts().items():
        match = re.search(rf"^{re.escape(name)} (KEPT|BROKEN)$", output, re.MULTILINE)
        assert match, f"{name!r} not in the report:\n{output}"
        found[cid] = match[1]
    return found


def test_the_import_contracts_are_kept():
    result = lint_imports(ROOT)
    assert verdicts(result.stdout) == dict.fromkeys(contracts(), "KEPT"), result.stdout
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_forbidden_import_breaks_the_contract_it_crosses(tmp_path):
    shutil.copytree(ROOT / "app", tmp_path / "app", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    additions = {
        "app/ui/about.py": "from app.core import store",  # around the history service
        "app/core/sse.py": "import PySide6",  # Qt in the core
        "app/services/backend.py": "from app.ui import theme",  # a service using the UI
        "app/ui/sidebar.py": "import mcp",  # the MCP SDK outside app.core.mcp
    }
    for path, line in additions.items():
        with open(tmp_path / path, "a") as f:
            f.write(f"\n{line}  # added by {__name__}\n")

    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert verdicts(result.stdout) == {
        "core-is-plain-python": "BROKEN",
        "layers": "BROKEN",
        "ui-through-services": "BROKEN",
        "mcp-sdk-in-one-place": "BROKEN",
    }
    report = result.stdout
    assert "app.ui is not allowed to import app.core.store" in report
    assert "app.ui.about -> app.core.store" in report
    assert "app.core is not allowed to import PySide6" in report
    assert "app.core.sse -> PySide6" in report
    assert "app.services.backend -> app.ui.theme" in report
    assert "app.ui.sidebar -> mcp" in report
