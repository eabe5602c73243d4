"""What a GGUF model file is, read from its header before the server is started.

Reading maps the file and walks its header and tensor list only (a 20 GB model: tens of
milliseconds, most of it skipping the vocabulary), still off the GUI thread: it is disk I/O.
"""

from __future__ import annotations

import math
import mmap
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.i18n import QT_TRANSLATE_NOOP
from app.core.localserver import GLM4_EOT

MAGIC = b"GGUF"


class NotGguf(Exception):
    """The file is no GGUF model, in words a person understands."""


@dataclass(frozen=True)
class GgufInfo:
    path: Path
    architecture: str
    name: str
    parameters: int  # weights, summed over every tensor
    quantization: str  # e.g. "MOSTLY_Q4_K_M", "ALL_F32"
    context_length: int  # the training context, tokens
    has_chat_template: bool
    eos_id: int | None
    eot_id: int | None
    size: int  # bytes

    chat_template: str = ""  # the embedded one, "" when none

    @property
    def glm4_0414_template(self) -> bool:
        """A GLM-4 file whose template is GLM-4-0414's own (tools under "# 可用工具", calls as
        plain text): started with the app's template, which replays tool calls and results.
        GLM-4.5 and later (another template, `<tool_call>` markers) are left alone."""
        template = self.chat_template
        return (
            self.architecture == "glm4"
            and "<|observation|>" in template
            and "<tool_call>" not in template
        )

    @property
    def old_glm4(self) -> bool:
        """A GLM-4 file converted before mid-April 2025: it names no end-of-turn token, so the
        model runs on past its turn unless the server ends turns at <|user|>."""
        return self.architecture == "glm4" and self.eot_id is None and self.eos_id != GLM4_EOT

    @property
    def parameters_label(self) -> str:
        n = self.parameters
        for unit, size in (("B", 1e9), ("M", 1e6), ("K", 1e3)):
            if n >= size:
                return f"{n / size:.1f}{unit}".replace(".0", "")
        return str(n)

    def summary(self) -> list[tuple[str, str]]:
        unknown = QT_TRANSLATE_NOOP("GgufInfo", "unknown")
        context = QT_TRANSLATE_NOOP("GgufInfo", "{n:,} tokens").format(n=self.context_length)
        template = (
            QT_TRANSLATE_NOOP("GgufInfo", "yes")
            if self.has_chat_template
            else QT_TRANSLATE_NOOP("GgufInfo", "none (the server's default)")
        )
        return [
            (QT_TRANSLATE_NOOP("GgufInfo", "Architecture"), self.architecture or unknown),
            (QT_TRANSLATE_NOOP("GgufInfo", "Name"), self.name or self.path.stem),
            (QT_TRANSLATE_NOOP("GgufInfo", "Parameters"), self.parameters_label),
            (QT_TRANSLATE_NOOP("GgufInfo", "Quantisation"), self.quantization or unknown),
            (QT_TRANSLATE_NOOP("GgufInfo", "Context"), context if self.context_length else unknown),
            (QT_TRANSLATE_NOOP("GgufInfo", "Chat template"), template),
            (QT_TRANSLATE_NOOP("GgufInfo", "Size"), _size(self.size)),
        ]


# general.file_type: llama.cpp's llama_ftype (gguf.LlamaFileType, less its MOSTLY_/ALL_
# prefix; tests/unit/test_gguf_info.py checks the names against the gguf package). Kept
# here, so the app does not ship the gguf package and numpy (40 MiB) for a table.
FILE_TYPES = dict(
    enumerate(["F32", "F16", "Q4_0", "Q4_1", "", "", "", "Q8_0", "Q5_0", "Q5_1", "Q2_K"])
) | {
    11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S",
    17: "Q5_K_M", 18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S", 22: "IQ3_XS",
    23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M", 28: "IQ2_S",
    29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16", 36: "TQ1_0", 37: "TQ2_0",
    38: "MXFP4_MOE",
}  # fmt: skip
for _gone in (4, 5, 6):  # types llama.cpp removed
    del FILE_TYPES[_gone]

# Scalar value types of the GGUF format (gguf.GGUFValueType), as struct codes.
_SCALARS = dict(enumerate("BbHhIif?")) | {10: "Q", 11: "q", 12: "d"}
_STRING, _ARRAY = 8, 9
MAX_STRING = 16 * 2**20  # a chat template is a few KiB; nothing in a header is this long
MAX_DIMS = 4  # GGML_MAX_DIMS


class _Header:
    """Walks a GGUF header in a memory map: keys and scalars read, arrays (a vocabulary of
    150,000 tokens) skipped, tensor shapes read; nothing else of the file is touched.
    gguf.GGUFReader builds every array and takes seconds on a GLM-4 vocabulary."""

    def __init__(self, data: mmap.mmap) -> None:
        self.data, self.at = data, 0

    def take(self, code: str) -> Any:
        value = struct.unpack_from("<" + code, self.data, self.at)[0]
        self.at += struct.calcsize(code)
        return value

    def skip(self, n: int) -> None:
        if n > len(self.data) - self.at:
            raise ValueError("a length runs past the end of the file")
        self.at += n

    def string(self, limit: int = MAX_STRING) -> str:
        n = self.take("Q")
        if n > limit:
            raise ValueError(f"a {n:,}-byte string in the header")
        self.skip(n)
        return bytes(self.data[self.at - n : self.at]).decode("utf-8", errors="replace")

    def value(self, kind: int, depth: int = 0) -> Any:
        if kind == _STRING:
            return self.string()
        if kind == _ARRAY:
            item, count = self.take("I"), self.take("Q")
            if item == _STRING:
                for _ in range(count):
                    self.skip(self.take("Q"))
            elif item == _ARRAY and depth < 2:
                for _ in range(count):
                    self.value(_ARRAY, depth + 1)
            elif item in _SCALARS:
                self.skip(struct.calcsize(_SCALARS[item]) * count)
            else:
                raise ValueError(f"array items of unknown type {item}")
            return _SKIPPED
        if kind not in _SCALARS:
            raise ValueError(f"a value of unknown type {kind}")
        return self.take(_SCALARS[kind])


_SKIPPED = object()  # an array's value: present, not read


def _read_header(path: Path) -> tuple[dict[str, Any], int]:
    """(metadata, parameter count) of a GGUF file."""
    if not path.is_file():  # a pipe or a device would block or never end
        raise NotGguf(
            QT_TRANSLATE_NOOP("GgufInfo", "{name} is not a regular file.").format(name=path.name)
        )
    with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        if data[:4] != MAGIC:
            raise NotGguf(
                QT_TRANSLATE_NOOP("GgufInfo", "{name} is not a GGUF model file.").format(
                    name=path.name
                )
            )
        header = _Header(data)
        header.at = 4
        version = header.take("I")
        if version < 2:
            raise NotGguf(
                QT_TRANSLATE_NOOP(
                    "GgufInfo", "{name} is a GGUF version {version} file, too old to read."
                ).format(name=path.name, version=version)
            )
        n_tensors, n_kv = header.take("Q"), header.take("Q")
        fields: dict[str, Any] = {}
        for _ in range(n_kv):
            key = header.string()
            fields[key] = header.value(header.take("I"))
        parameters = 0
        for _ in range(n_tensors):
            header.string()  # name
            n_dims = header.take("I")
            if n_dims > MAX_DIMS:
                raise ValueError(f"a tensor of {n_dims} dimensions")
            dims = [header.take("Q") for _ in range(n_dims)]
            header.at += 4 + 8  # type, offset
            parameters += math.prod(dims)
    return fields, parameters


def read_gguf_info(path: Path) -> GgufInfo:
    """The file's metadata; NotGguf when it is not a GGUF model (or cannot be read)."""
    try:
        fields, parameters = _read_header(path)
    except NotGguf:
        raise
    except (OSError, ValueError, KeyError, struct.error, RecursionError) as exc:
        raise NotGguf(
            QT_TRANSLATE_NOOP(
                "GgufInfo", "{name} could not be read as a GGUF model: {error}"
            ).format(name=path.name, error=str(exc))
        ) from exc

    def text(key: str) -> str:
        value = fields.get(key)
        return value if isinstance(value, str) else ""

    def number(key: str) -> int | None:  # an integer field; anything else counts as absent
        value = fields.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    arch = text("general.architecture")
    file_type = number("general.file_type")
    quant = FILE_TYPES.get(file_type, f"type {file_type}") if file_type is not None else ""
    return GgufInfo(
        path=path,
        architecture=arch,
        name=text("general.name"),
        parameters=parameters,
        quantization=quant,
        context_length=number(f"{arch}.context_length") or 0,
        has_chat_template=bool(text("tokenizer.chat_template")),
        chat_template=text("tokenizer.chat_template"),
        eos_id=number("tokenizer.ggml.eos_token_id"),
        eot_id=number("tokenizer.ggml.eot_token_id"),
        size=path.stat().st_size,
    )


def _size(n: int) -> str:
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size / 10:
            return f"{n / size:.1f} {unit}"
    return f"{n} bytes"
