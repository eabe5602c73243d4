"""Settings → Runner: its values reach the settings, and the runs follow them."""

from __future__ import annotations

from app.core.settings import Settings
from app.services.runs import RunService
from app.services.settings import SettingsService
from app.ui.settings.runner import RunnerPage


def test_the_runner_page_edits_the_runner_settings(qtbot, tmp_path):
    settings = Settings()
    page = RunnerPage(settings.snapshot())
    qtbot.addWidget(page)
    edits: dict[str, object] = {}
    page.edited.connect(lambda key, value: edits.__setitem__(key, value))
    page.sandbox_combo.setCurrentIndex(page.sandbox_combo.findData("namespaces"))
    page.timeout_field.setValue(5)
    page.memory_field.setValue(512)
    page.processes_field.setValue(16)
    page.run_code_default.setChecked(True)
    assert edits == {
        "runner.sandbox": "namespaces",
        "runner.timeout": 5.0,
        "runner.memory_mb": 512,
        "runner.processes": 16,
        "tools.run_code": True,
    }
    service = SettingsService(settings)
    service.apply(edits)
    runs = RunService(service, tmp_path)
    limits = runs.limits()
    assert (limits.timeout, limits.memory, limits.processes) == (5.0, 512 * 1024 * 1024, 16)
    assert runs.forced == "namespaces"


def test_a_workspace_has_its_own_python(tmp_path):
    service = SettingsService(Settings())
    runs = RunService(service, tmp_path)
    runs.set_python("/work/a", "/opt/venv-a")
    runs.set_python("", "/usr/bin/python3")
    assert runs.python_for("/work/a") == "/opt/venv-a"
    assert runs.python_for("/work/b") == "/usr/bin/python3"  # the default one
    runs.set_python("/work/a", "")
    assert runs.python_for("/work/a") == "/usr/bin/python3"
