"""GLM-4-0414 files get the app's tool template when the app starts llama-server."""

from __future__ import annotations

from pathlib import Path

from app.core.gguf_info import GgufInfo
from app.core.localserver import GLM4_TOOLS_TEMPLATE, LaunchOptions, command

GLM4_0414 = "[gMASK]<sop>{% if tools %}<|system|>\n# 可用工具{% endif %}...<|observation|>..."
GLM4_5 = "[gMASK]<sop>...<tool_call>{{ name }}<arg_key>...<|observation|>..."


def info(architecture: str, template: str) -> GgufInfo:
    return GgufInfo(
        path=Path("m.gguf"),
        architecture=architecture,
        name="m",
        parameters=1,
        quantization="",
        context_length=4096,
        has_chat_template=bool(template),
        eos_id=None,
        eot_id=None,
        size=1,
        chat_template=template,
    )


def test_only_glm4_0414s_own_template_is_replaced():
    assert info("glm4", GLM4_0414).glm4_0414_template
    assert not info("glm4", GLM4_5).glm4_0414_template  # GLM-4.5's calls have markers
    assert not info("glm4", "").glm4_0414_template
    assert not info("llama", GLM4_0414).glm4_0414_template


def test_the_command_line_passes_the_shipped_template_with_jinja():
    plain = command(Path("/bin/llama-server"), LaunchOptions(model=Path("m.gguf")), 8080)
    assert "--chat-template-file" not in plain
    tools = command(
        Path("/bin/llama-server"), LaunchOptions(model=Path("m.gguf"), glm4_tools=True), 8080
    )
    at = tools.index("--chat-template-file")
    assert "--jinja" in tools and tools[at + 1] == str(GLM4_TOOLS_TEMPLATE)
    assert GLM4_TOOLS_TEMPLATE.is_file() and "<|observation|>" in GLM4_TOOLS_TEMPLATE.read_text()
