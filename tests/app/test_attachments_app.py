"""Files attached in the chat input, and thumbs on answers, through the whole app (AppTest).

Requests are asserted as the scripted server recorded them: the real openai
client and LangChain built them from what the chat input handed over.
"""

from __future__ import annotations

import base64
import json

import pytest
from streamlit.testing.v1 import AppTest

from chat_core.files.attachments import MAX_FILES
from chat_core.identity import LOCAL_OWNER
from chat_core.storage.engine import sqlite_url
from chat_core.storage.store import ConversationStore
from chat_core.transfer.exports import export_json, export_markdown
from tests.app.test_app import bubbles, send
from tests.app.test_history_page import history_page, open_from_history
from tests.support.files import image_bytes, pdf_bytes
from tests.support.scripted_server import Reply
from tests.unit.files.test_attachments import encrypted_pdf

PNG = image_bytes()
PNG_URL = "data:image/png;base64," + base64.b64encode(PNG).decode()


@pytest.fixture
def data_store(clean_env, tmp_path) -> ConversationStore:
    return ConversationStore(sqlite_url(tmp_path / "data"))


def attach(app: AppTest, *files: tuple[str, bytes, str]) -> AppTest:
    for name, content, mime_type in files:
        app.chat_input[0].upload(name, content, mime_type)
    return app


def send_with_files(app: AppTest, text: str, *files: tuple[str, bytes, str]) -> AppTest:
    attach(app, *files).chat_input[0].set_value(text).run()
    assert not app.exception, app.exception
    return app


def images_in(message) -> int:
    return sum(len(child.value) for child in message.children.values() if child.type == "image")


def test_an_image_and_a_text_file_reach_the_model_as_parts(app, model_server):
    app.run()
    send_with_files(
        app,
        "What do these show?",
        ("chart.png", PNG, "image/png"),
        ("sales.csv", "月,売上\n1,100\n".encode(), "text/csv"),
    )
    (request,) = model_server.chat_requests
    assert request.messages[-1] == {
        "role": "user",
        "content": [
            {
                "type": "text",
                "text": "What do these show?\n\nsales.csv:\n```csv\n月,売上\n1,100\n```",
            },
            {"type": "image_url", "image_url": {"url": PNG_URL}},
        ],
    }
    question, answer = app.chat_message
    assert images_in(question) == 1
    assert [e.label for e in app.expander if "sales" in e.label] == [
        "**sales.csv** · 17 B · 10 characters"
    ]
    assert answer.markdown[0].value.startswith("Echo: What do these show?")


def test_a_pdf_is_sent_as_the_text_of_its_pages(app, model_server):
    app.run()
    send_with_files(
        app, "", ("report.pdf", pdf_bytes("Quarterly numbers", "Page two"), "application/pdf")
    )
    content = model_server.chat_requests[-1].messages[-1]["content"]
    assert content == [
        {"type": "text", "text": "report.pdf:\n```pdf\nQuarterly numbers\n\nPage two\n```"}
    ]


def test_the_page_states_what_may_be_attached(app):
    app.run()
    rules = [c.value for c in app.caption if "Attach up to" in c.value]
    assert rules == [
        f"Attach up to {MAX_FILES} files with the + button: images (GIF, JPG, PNG, WEBP, up to "
        "10.0 MB each; the model must accept images), PDFs (up to 20.0 MB) and text, CSV, JSON or "
        "code files (up to 2.0 MB). The text of one message's files may be 100,000 characters in "
        "all."
    ]


BAD_FILES = {
    "unsupported": (("setup.exe", b"MZ\x90\x00", "application/x-msdownload"), "of this type"),
    "too large": (("huge.png", bytes(11 * 1024 * 1024), "image/png"), "it is 11.0 MB"),
    "not what it claims": (("photo.png", b"plain text", "image/png"), "not what its name says"),
    "damaged": (("cut.png", PNG[:40], "image/png"), "damaged"),
    "encrypted": (("locked.pdf", encrypted_pdf(), "application/pdf"), "password"),
    "scanned": (("scan.pdf", pdf_bytes(""), "application/pdf"), "no text to read"),
    # good.md has taken 6 of the 1,000 characters.
    "too long": (("long.txt", b"x" * 1500, "text/plain"), "1,500 characters, more than the 994"),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_a_file_that_cannot_be_sent_is_explained_and_nothing_is_sent(
    case, app, model_server, clean_env
):
    clean_env.setenv("CHAT_MAX_ATTACHMENT_CHARS", "1000")
    bad, reason = BAD_FILES[case]
    app.run()
    send_with_files(app, "Please read these", ("good.md", b"# Fine", "text/markdown"), bad)
    assert model_server.chat_requests == []
    (question,) = app.chat_message
    assert question.markdown[0].value == "Please read these"  # the message is kept
    refused = [m.value for m in question.markdown if bad[0] in m.value]
    assert len(refused) == 1 and reason in refused[0]
    assert "Nothing was sent: 1 of the attached files" in question.error[0].value

    # Edit sends the message again with the files that could be sent.
    app.button(key="edit_last").click().run()
    next(b for b in app.button if b.label == "Send").click().run()
    (request,) = model_server.chat_requests
    assert request.messages[-1]["content"] == [
        {"type": "text", "text": "Please read these\n\ngood.md:\n```md\n# Fine\n```"}
    ]
    assert [name for name, _ in bubbles(app)] == ["user", "assistant"]


def test_more_files_than_allowed_are_refused(app, model_server):
    app.run()
    files = [(f"{i}.txt", b"x", "text/plain") for i in range(MAX_FILES + 1)]
    send_with_files(app, "many", *files)
    assert model_server.chat_requests == []
    assert any(f"at most {MAX_FILES} files" in m.value for m in app.chat_message[0].markdown)


def test_a_model_without_vision_gets_a_clear_message(app, model_server):
    app.run()
    model_server.queue(
        Reply.failure(400, "Invalid content type. image_url is only supported by certain models.")
    )
    send_with_files(app, "What is this?", ("cat.png", PNG, "image/png"))
    assert 'The model "scripted-small" does not accept images.' in app.error[0].value
    assert images_in(app.chat_message[0]) == 1  # the question and its image are kept


def test_attachments_survive_a_resume_and_stay_in_the_window(app, model_server, data_store):
    app.run()
    send_with_files(app, "Look", ("cat.png", PNG, "image/png"), ("spec.md", b"# Spec", "text/x"))
    (summary,) = data_store.list(LOCAL_OWNER)
    stored = data_store.load(summary.id, LOCAL_OWNER).messages[0]
    assert [a.name for a in stored.attachments] == ["cat.png", "spec.md"]
    next(b for b in app.sidebar.button if b.key == "new_chat").click().run()

    history_page(app)
    open_from_history(app, summary.id)
    assert images_in(app.chat_message[0]) == 1
    assert any("spec" in e.label for e in app.expander)
    send(app, "And now?")
    earlier_question = model_server.chat_requests[-1].messages[1]
    assert earlier_question["content"] == [
        {"type": "text", "text": "Look\n\nspec.md:\n```md\n# Spec\n```"},
        {"type": "image_url", "image_url": {"url": PNG_URL}},
    ]


def _comment_box(app: AppTest):
    return next(i for i in app.text_input if i.key.startswith("feedback_comment_"))


def test_feedback_is_stored_with_the_answer_and_exported(app, model_server, data_store):
    app.run()
    send(app, "first")
    send(app, "second")
    app.get("feedback")[0].set_value(1).run()  # thumbs up on the first answer
    app.get("feedback")[1].set_value(0).run()  # thumbs down on the second
    _comment_box(app).set_value("Wrong, and too short").run()
    assert any("comment is saved" in c.value for c in app.caption)

    (summary,) = data_store.list(LOCAL_OWNER)
    conversation = data_store.load(summary.id, LOCAL_OWNER)
    feedback = [m.feedback for m in conversation.messages]
    assert [f and (f.rating.value, f.comment) for f in feedback] == [
        None,
        ("up", ""),
        None,
        ("down", "Wrong, and too short"),
    ]
    exported = json.loads(export_json(conversation))["messages"]
    assert exported[3]["feedback"] == {"rating": "down", "comment": "Wrong, and too short"}
    labels = {"user": "You", "assistant": "Assistant", "not_sent": "", "feedback": "Feedback"}
    assert "Feedback: 👎 Wrong, and too short" in export_markdown(conversation, labels=labels)

    # Opened again, the thumbs show what was chosen; clearing them clears the stored rating.
    history_page(app)
    open_from_history(app, summary.id)
    assert [f.value for f in app.get("feedback")] == [1, 0]
    assert _comment_box(app).value == "Wrong, and too short"
    app.get("feedback")[0].set_value(None).run()
    assert data_store.load(summary.id, LOCAL_OWNER).messages[1].feedback is None


def _copied_texts(app: AppTest) -> list[str]:
    """What each copy button would put on the clipboard (its data, as sent to the browser)."""
    elements = app.get("bidi_component")
    buttons = [e for e in elements if e.proto.component_name.endswith("copy_button")]
    return [json.loads(element.proto.json)["text"] for element in buttons]


def test_every_message_has_a_copy_action_with_its_markdown(app, model_server):
    app.run()
    model_server.queue(Reply.text("Here is **bold** and `code`."))
    send(app, "Format *this*")
    assert _copied_texts(app) == ["Format *this*", "Here is **bold** and `code`."]


def test_identical_messages_each_get_their_own_copy_button(app, model_server):
    app.run()
    for _ in range(2):
        model_server.queue(Reply.text("Yes."))
        send(app, "Really?")
    assert _copied_texts(app) == ["Really?", "Yes.", "Really?", "Yes."]
