"""Share (AppTest): an owner makes a link from the chat list, anyone opens it read-only,
and a revoked or unknown link shows nothing of it."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from chat_core.conversation.messages import ChatMessage
from chat_core.identity import LOCAL_OWNER
from chat_core.storage import shares
from chat_core.storage.engine import sqlite_url
from chat_core.storage.store import ConversationStore
from chat_core.transfer.share_snapshot import new_token, snapshot
from tests.app.test_app import bubbles, send
from tests.app.test_chat_list_app import _open_menu
from tests.support.app_server import new_app


@pytest.fixture
def sharing_app(clean_env, app) -> AppTest:
    clean_env.setenv("CHAT_SHARING", "true")
    return app


def _open_link(token: str) -> AppTest:
    visitor = new_app()  # another browser, with no history of its own
    visitor.run()
    visitor.switch_page("pages/shared.py")
    visitor.query_params["s"] = token
    visitor.run()
    assert not visitor.exception, visitor.exception
    return visitor


def test_a_shared_link_shows_the_conversation_read_only_until_revoked(sharing_app, tmp_path):
    app = sharing_app.run()
    send(app, "my secret ramen recipe ラーメン")
    store = ConversationStore(sqlite_url(tmp_path / "data"))
    (summary,) = store.list(LOCAL_OWNER)
    _open_menu(app, summary.id)
    app.button(key=f"share_{summary.id}").click().run()
    app.button(key="share_create").click().run()
    (link,) = shares.list_shares(store.engine, LOCAL_OWNER)
    assert any(link.token in code.value for code in app.code)  # the address to copy

    visitor = _open_link(link.token)
    assert bubbles(visitor) == [
        ("user", "my secret ramen recipe ラーメン"),
        ("assistant", "Echo: my secret ramen recipe ラーメン"),
    ]
    assert not visitor.chat_input and not [b for b in visitor.button if b.key]  # no actions
    assert LOCAL_OWNER not in str(visitor.main)

    send(app, "said after sharing")  # a snapshot: later messages are not in it
    assert "said after sharing" not in str(_open_link(link.token).main)

    app.button(key=f"revoke_{link.token}").click().run()
    revoked = _open_link(link.token)
    assert bubbles(revoked) == [] and "ramen" not in str(revoked.main)
    unknown = _open_link("x" * 32)
    assert [i.value for i in unknown.info] == [i.value for i in revoked.info]  # alike


def test_without_sharing_turned_on_there_is_no_share_and_no_link_page(app, tmp_path):
    app.run()
    send(app, "private")
    store = ConversationStore(sqlite_url(tmp_path / "data"))
    (summary,) = store.list(LOCAL_OWNER)
    _open_menu(app, summary.id)
    assert not [b for b in app.button if b.key == f"share_{summary.id}"]


def _stored_link(tmp_path) -> str:
    """A link some signed-in user made (through the store, as the Share dialog does)."""
    store = ConversationStore(sqlite_url(tmp_path / "data"))
    owner = "oidc:https://issuer.example#someone"
    cid = store.create(owner, title="Shared ramen", settings={})
    token = new_token()
    shot = snapshot([ChatMessage.user("ramen?"), ChatMessage.assistant("yes")], include_files=False)
    shares.create_share(
        store.engine,
        owner,
        token=token,
        conversation_id=cid,
        title="Shared ramen",
        snapshot=shot,
        with_files=False,
    )
    return token


def _signed_out_visitor(token: str) -> AppTest:
    """A visitor who has not signed in, on a deployment with sign-in, opening the link."""
    visitor = new_app()
    visitor.secrets["auth"] = {"client_id": "x", "client_secret": "y"}
    visitor.run()
    visitor.switch_page("pages/shared.py")
    visitor.query_params["s"] = token
    return visitor.run()


def test_with_sign_in_a_link_opens_for_anyone_unless_the_deployer_requires_it(
    sharing_app, clean_env, tmp_path
):
    token = _stored_link(tmp_path)
    anyone = _signed_out_visitor(token)
    assert bubbles(anyone) == [("user", "ramen?"), ("assistant", "yes")]

    clean_env.setenv("CHAT_SHARING_REQUIRES_SIGN_IN", "true")
    required = _signed_out_visitor(token)
    assert bubbles(required) == [] and "ramen" not in str(required.main)
    assert [t.value for t in required.title] == ["Sign in to chat"]
