"""What a GGUF model file is, read with the `gguf` package before the server is started.

Reading maps the file and walks its header and tensor list only: a 20 GB model takes
milliseconds, but still off the GUI thread (it is disk I/O).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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

    @property
    def old_glm4(self) -> bool:
        """A GLM-4 file converted before mid-April 2025: it names no end-of-turn token, so the
        model runs on past its turn unless the server ends turns at <|user|> (PROTOCOLS.md)."""
        return self.architecture == "glm4" and self.eot_id is None and self.eos_id != GLM4_EOT

    @property
    def parameters_label(self) -> str:
        n = self.parameters
        for unit, size in (("B", 1e9), ("M", 1e6), ("K", 1e3)):
            if n >= size:
                return f"{n / size:.1f}{unit}".replace(".0", "")
        return str(n)

    def summary(self) -> list[tuple[str, str]]:
        gib = self.size / 2**30
        return [
            ("Architecture", self.architecture or "unknown"),
            ("Name", self.name or self.path.stem),
            ("Parameters", self.parameters_label),
            ("Quantisation", self.quantization or "unknown"),
            ("Context", f"{self.context_length:,} tokens" if self.context_length else "unknown"),
            ("Chat template", "yes" if self.has_chat_template else "none (the server's default)"),
            ("Size", f"{gib:.2f} GiB" if gib >= 0.1 else f"{self.size / 2**20:.1f} MiB"),
        ]


def _value(field: Any) -> Any:
    """A scalar or string field's value (gguf keeps the raw parts)."""
    if not field.data:
        return None
    part = field.parts[field.data[0]]
    if field.types and field.types[0].name == "STRING":
        return bytes(part).decode("utf-8", errors="replace")
    return part.tolist()[0] if hasattr(part, "tolist") else part


def read_gguf_info(path: Path) -> GgufInfo:
    """The file's metadata; NotGguf when it is not a GGUF model (or cannot be read)."""
    try:
        with path.open("rb") as f:
            if f.read(4) != MAGIC:
                raise NotGguf(f"{path.name} is not a GGUF model file.")
        from gguf import GGUFReader, LlamaFileType

        reader = GGUFReader(path, "r")
    except NotGguf:
        raise
    except (OSError, ValueError, IndexError, KeyError) as exc:
        raise NotGguf(f"{path.name} could not be read as a GGUF model: {exc}") from exc

    def get(key: str) -> Any:
        field = reader.fields.get(key)
        return _value(field) if field is not None else None

    arch = str(get("general.architecture") or "")
    file_type = get("general.file_type")
    try:
        quant = LlamaFileType(int(file_type)).name if file_type is not None else ""
    except ValueError:
        quant = f"type {file_type}"
    parameters = sum(math.prod(int(d) for d in t.shape) for t in reader.tensors)
    eos, eot = get("tokenizer.ggml.eos_token_id"), get("tokenizer.ggml.eot_token_id")
    return GgufInfo(
        path=path,
        architecture=arch,
        name=str(get("general.name") or ""),
        parameters=parameters,
        quantization=quant,
        context_length=int(get(f"{arch}.context_length") or 0),
        has_chat_template="tokenizer.chat_template" in reader.fields,
        eos_id=int(eos) if eos is not None else None,
        eot_id=int(eot) if eot is not None else None,
        size=path.stat().st_size,
    )
