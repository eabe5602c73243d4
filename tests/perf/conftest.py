"""The benchmarks run the window as the UI tests do: the same loop and GUI-thread collector.
At the end of the run, the figures every benchmark recorded are printed as one table."""

from tests.perf.table import ROWS, render
from tests.ui.conftest import _gc_on_gui_thread, history, qloop  # noqa: F401


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if ROWS:
        terminalreporter.write_sep("=", "GLM Desk performance (medians)")
        terminalreporter.write_line(render(ROWS))
