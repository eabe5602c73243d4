"""The benchmarks run the window as the UI tests do: the same loop and GUI-thread collector."""

from tests.ui.conftest import _gc_on_gui_thread, history, qloop  # noqa: F401
