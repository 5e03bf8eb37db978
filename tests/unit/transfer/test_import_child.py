"""An import file is read in a child process with caps on memory and time."""

from __future__ import annotations

import json

import pytest

from chat_core.transfer.import_child import ImportLimits, read_import_isolated
from chat_core.transfer.import_files import ImportRefused
from tests.unit.transfer.test_imports import chatgpt_export


def test_a_file_read_in_the_child_comes_back_whole():
    result = read_import_isolated(json.dumps(chatgpt_export()).encode())
    assert len(result.conversations) == 2
    assert {c.source for c in result.conversations} == {"chatgpt"}


def test_a_refusal_comes_back_with_its_details():
    with pytest.raises(ImportRefused) as refused:
        read_import_isolated(b"[" + b"{}," * 3000 + b"{}]")
    assert refused.value.reason == "unknown_format"


def test_a_file_that_costs_too_much_memory_is_refused_and_the_app_lives_on():
    costly = b"[" + b"{}," * 3_000_000 + b"{}]"  # 9 MB of empty objects: ~300 MB parsed
    with pytest.raises(ImportRefused) as refused:
        read_import_isolated(costly, limits=ImportLimits(memory_bytes=200 * 1024**2))
    assert refused.value.reason == "too_costly"
