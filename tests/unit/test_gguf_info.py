"""GGUF metadata from the header walk: names, small files, malformed files."""

from __future__ import annotations

import struct

import pytest
from gguf import LlamaFileType

from app.core.gguf_info import FILE_TYPES, NotGguf, read_gguf_info
from tests.llama import write_small_gguf


def test_file_type_names_are_the_gguf_packages():
    for value, name in FILE_TYPES.items():
        assert LlamaFileType(value).name.removeprefix("MOSTLY_").removeprefix("ALL_") == name


def write(path, eot=True):
    return write_small_gguf(path, context=32768, file_type=15, eot=151336 if eot else None)


def test_metadata_of_a_small_file(tmp_path):
    info = read_gguf_info(write(tmp_path / "m.gguf"))
    assert (info.architecture, info.name, info.quantization) == ("glm4", "tiny", "Q4_K_M")
    assert info.context_length == 32768 and info.has_chat_template and info.parameters == 12
    assert (info.eos_id, info.eot_id) == (151329, 151336) and not info.old_glm4
    assert dict(info.summary())["Size"].endswith("KiB")
    old = read_gguf_info(write(tmp_path / "old.gguf", eot=False))
    assert old.old_glm4


@pytest.mark.parametrize("cut", [3, 10, 30, 60, 100])
def test_truncated_or_foreign_files_are_refused(tmp_path, cut):
    data = write(tmp_path / "m.gguf").read_bytes()
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(data[:cut])
    with pytest.raises(NotGguf):
        read_gguf_info(broken)
    text = tmp_path / "notes.txt"
    text.write_text("not a model")
    with pytest.raises(NotGguf, match="not a GGUF model"):
        read_gguf_info(text)


def test_an_absurd_length_is_refused_not_allocated(tmp_path):
    head = b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + struct.pack("<Q", 2**62)
    path = tmp_path / "evil.gguf"
    path.write_bytes(head + b"x" * 64)
    with pytest.raises(NotGguf):
        read_gguf_info(path)


def test_huge_lengths_deep_nesting_and_pipes_are_refused(tmp_path):
    import os

    huge_dims = b"GGUF" + struct.pack("<IQQ", 3, 1, 0) + struct.pack("<Q", 1) + b"t"
    huge_dims += struct.pack("<I", 2**32 - 1)
    nested = b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + struct.pack("<Q", 1) + b"k"
    nested += struct.pack("<I", 9) + (struct.pack("<IQ", 9, 1) * 50)
    for name, data in (("dims", huge_dims), ("nested", nested)):
        path = tmp_path / f"{name}.gguf"
        path.write_bytes(data + b"\0" * 64)
        with pytest.raises(NotGguf):
            read_gguf_info(path)
    fifo = tmp_path / "pipe.gguf"
    os.mkfifo(fifo)
    with pytest.raises(NotGguf, match="not a regular file"):
        read_gguf_info(fifo)  # would block for ever if opened
