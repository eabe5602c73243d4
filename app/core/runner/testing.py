"""Tests for a Python snippet: a block of asserts or pytest-style tests run against it.

The harness (written beside the snippet, run in the same sandbox) loads the snippet as the
module `snippet` without running its `if __name__ == "__main__":` part, gives the tests its
names (and `import snippet` works), runs the block's top-level code, then every `test*`
function and every `Test*` class's `test*` methods in order, and writes one result per test.
Top-level asserts count as one test, "asserts". Fixtures and parametrize are pytest's and
are not available: a test that takes arguments is reported as not run.
"""

from __future__ import annotations

import json
from pathlib import Path

TESTS_FILE = "test_snippet.py"
HARNESS_FILE = "_glm_desk_tests.py"
RESULTS_FILE = ".glm-desk-test-results.json"

HARNESS = r"""
import inspect, json, sys, traceback, types

snippet_file, tests_file = sys.argv[1], sys.argv[2]
results = []

def failure(exc):
    frames = traceback.extract_tb(exc.__traceback__)
    line = next((f.lineno for f in reversed(frames) if f.filename == tests_file), None)
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    if isinstance(exc, AssertionError) and not str(exc) and line is not None:
        source = open(tests_file, encoding="utf-8").read().splitlines()
        text = "AssertionError: " + source[line - 1].strip()
    return text, line

module = types.ModuleType("snippet")
module.__file__ = snippet_file
sys.modules["snippet"] = module
try:
    with open(snippet_file, encoding="utf-8") as f:
        exec(compile(f.read(), snippet_file, "exec"), module.__dict__)
except BaseException as exc:  # the snippet itself failed: no test can run
    traceback.print_exc()
    results.append({"name": "(the snippet)", "passed": False, "message": failure(exc)[0]})
else:
    names = dict(module.__dict__)
    names["__name__"] = "test_snippet"
    names["__file__"] = tests_file
    with open(tests_file, encoding="utf-8") as f:
        source = f.read()
    before = set(names)
    try:
        exec(compile(source, tests_file, "exec"), names)
    except BaseException as exc:
        message, line = failure(exc)
        results.append({"name": "asserts", "passed": False, "message": message, "line": line})
    else:
        if "assert" in source.split("def ", 1)[0]:
            results.append({"name": "asserts", "passed": True, "message": ""})
    tests = []
    for name, value in list(names.items()):
        if name in before and value is module.__dict__.get(name):
            continue
        if name.startswith("test") and inspect.isfunction(value):
            tests.append((name, value))
        elif name.startswith("Test") and inspect.isclass(value):
            for method, fn in inspect.getmembers(value, inspect.isfunction):
                if method.startswith("test"):
                    tests.append((name + "." + method, (value, method)))
    for name, test in tests:
        try:
            if isinstance(test, tuple):
                getattr(test[0](), test[1])()
            elif inspect.signature(test).parameters:
                results.append({"name": name, "passed": False,
                                "message": "not run: it takes arguments (pytest fixtures)"})
                continue
            else:
                test()
        except BaseException as exc:
            message, line = failure(exc)
            results.append({"name": name, "passed": False, "message": message, "line": line})
            print(f"FAILED {name}: {message}", file=sys.stderr)
        else:
            results.append({"name": name, "passed": True, "message": ""})
            print(f"passed {name}")
    if not results:
        results.append({"name": "(no tests)", "passed": False,
                        "message": "the test block has no asserts and no test functions"})
with open(".glm-desk-test-results.json", "w", encoding="utf-8") as f:
    json.dump(results, f)
sys.exit(0 if all(r["passed"] for r in results) else 1)
"""


def read_results(path: Path) -> list[dict]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    out = []
    for item in data if isinstance(data, list) else []:
        if isinstance(item, dict) and "name" in item:
            line = item.get("line")
            out.append(
                {
                    "name": str(item["name"])[:200],
                    "passed": bool(item.get("passed")),
                    "message": str(item.get("message") or "")[:2000],
                    **({"line": int(line)} if isinstance(line, int) else {}),
                }
            )
    return out[:1000]
