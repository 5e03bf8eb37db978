"""Secrets are read from their file; without one, nothing is parsed again on every run."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit import config
from streamlit.runtime.secrets import Secrets

import components.secrets as module


@pytest.fixture
def fresh_secrets(monkeypatch, tmp_path):
    """A fresh st.secrets (as the app process has it) reading ``tmp_path/secrets.toml``."""
    fresh = Secrets()
    monkeypatch.setattr(st, "secrets", fresh)
    monkeypatch.setattr(module, "secrets_singleton", fresh)
    path = tmp_path / "secrets.toml"
    saved = config.get_option("secrets.files")
    config.set_option("secrets.files", [str(path)])
    yield fresh, path
    config.set_option("secrets.files", saved)


def test_without_a_file_nothing_is_parsed(fresh_secrets, monkeypatch):
    monkeypatch.setattr(Secrets, "_parse", lambda self: pytest.fail("parsed"))
    assert module.secrets() == {}


def test_a_file_is_read_with_its_sections(fresh_secrets):
    _, path = fresh_secrets
    path.write_text('CHAT_MODEL = "from-file"\n[auth]\nclient_id = "x"\n')
    found = module.secrets()
    assert found["CHAT_MODEL"] == "from-file"
    assert found["auth"]["client_id"] == "x"


def test_a_broken_file_reads_as_no_secrets(fresh_secrets):
    _, path = fresh_secrets
    path.write_text("this is = = not toml\n")
    with pytest.raises(Exception):  # noqa: B017 - Streamlit's own error is not ours to name
        st.secrets.to_dict()
    assert module.secrets() == {}
