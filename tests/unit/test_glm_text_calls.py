"""GLM-4-0414's plain-text tool calls: recognised only in their exact form."""

from __future__ import annotations

import pytest

from app.core.tools.glm_text import plain_text_call
from app.core.tools.workspace import WORKSPACE_TOOLS


def test_a_call_is_a_tool_name_on_its_own_line_then_json_that_fits_its_schema():
    call = plain_text_call('read_file\n{"path": "src/app.py"}', WORKSPACE_TOOLS)
    assert call is not None and call.name == "read_file"
    assert call.arguments == {"path": "src/app.py"} and call.prose == ""
    spaced = plain_text_call(
        '  \nsearch_files \n  {"pattern": "TODO",\n "glob": "*.py"}\n', WORKSPACE_TOOLS
    )
    assert spaced is not None and spaced.arguments == {"pattern": "TODO", "glob": "*.py"}
    after_prose = plain_text_call(
        'Let me look at it first.\n\nread_file\n{"path": "a.py", "start_line": 10}', WORKSPACE_TOOLS
    )
    assert after_prose is not None and after_prose.prose == "Let me look at it first."


@pytest.mark.parametrize(
    "text",
    [
        # JSON in a code block is an example, never a call
        '```\nread_file\n{"path": "a.py"}\n```',
        'For example:\n\n    read_file\n    {"path": "a.py"}',  # an indented code block
        '\tread_file\n{"path": "a.py"}',
        'Call it like this:\n\n```json\nread_file\n{"path": "a.py"}\n```\nand so on.',
        # not an offered tool
        'delete_everything\n{"path": "."}',
        'read_files\n{"path": "a.py"}',
        # the name inside prose, or on the JSON's line
        'You could use read_file\n{"path": "a.py"}',
        'read_file {"path": "a.py"}',
        # arguments that do not fit the tool
        'read_file\n{"file": "a.py"}',
        'read_file\n{"path": 3}',
        'write_file\n{"path": "a.py"}',
        # not a JSON object, or text after it
        'read_file\n["a.py"]',
        'read_file\n{"path": "a.py"',
        'read_file\n{"path": "a.py"}\nThat should show the file.',
        # prose about tools
        "I would call read_file with the path of the file you mean.",
        "",
    ],
)
def test_text_that_only_looks_like_a_call_is_not_one(text: str):
    assert plain_text_call(text, WORKSPACE_TOOLS) is None


def test_no_tools_offered_means_no_call():
    assert plain_text_call('read_file\n{"path": "a.py"}', []) is None
