"""Copy, thumbs, attachments and rich Markdown, as people see them in Chromium."""

from __future__ import annotations

import pytest

from tests.support.files import image_bytes, pdf_bytes
from tests.support.scripted_server import Reply

pytestmark = pytest.mark.browser

RICH_ANSWER = """Here is the plan, with **every** kind of Markdown:

| Step | Owner |
|---|---|
| Draft | 山田 |
| Review | Alex |

The area of a circle is $A = \\pi r^2$.

```python
def area(radius: float) -> float:
    return math.pi * radius**2
```

```mermaid
graph LR
  A[Upload] --> B{Readable?}
  B -->|yes| C[Send to the model]
  B -->|no| D[Explain why]
```
"""

FILE_INPUT = '[data-testid="stChatInput"] input[type="file"]'


MESSAGE = '[data-testid="stChatMessage"]'


def _clipboard(chat) -> str:
    return chat.page.evaluate("navigator.clipboard.readText()")


def _wait_for_actions(chat, count: int) -> None:
    """The answer is kept and redrawn with its actions (thumbs) under bubble ``count``."""
    bubble = chat.page.locator(MESSAGE).nth(count - 1)
    bubble.locator('[data-testid="stFeedback"]').wait_for(state="visible", timeout=30_000)


def test_copy_puts_a_messages_markdown_source_on_the_clipboard(open_chat, model_server):
    chat = open_chat(permissions=["clipboard-read", "clipboard-write"])
    model_server.queue(Reply.text(RICH_ANSWER))
    chat.send("Plan the *upload* flow")
    _wait_for_actions(chat, 2)
    question, answer = chat.page.locator(MESSAGE).all()

    answer.locator("button.copy").click()
    assert _clipboard(chat) == RICH_ANSWER  # the Markdown source, not the rendered text
    assert answer.locator(".copy .done").inner_text() == "Copied"
    question.locator("button.copy").click()
    assert _clipboard(chat) == "Plan the *upload* flow"

    # The answer rendered fully: a table, LaTeX, highlighted code with its own copy
    # icon, and the Mermaid diagram drawn (Streamlit shows it as an SVG image).
    assert answer.locator("table td").filter(has_text="山田").count() == 1
    assert answer.locator(".katex").count() == 1
    code = answer.locator('[data-testid="stCode"]')
    assert code.locator("span.token").count() > 3  # highlighted
    code.hover()
    assert code.locator("button").count() == 1
    diagram = answer.locator('[data-testid="stMermaidChart"] img')
    diagram.wait_for(state="visible", timeout=15_000)
    assert diagram.evaluate("img => img.complete && img.naturalWidth") > 100
    assert answer.locator('[data-testid="stMermaidError"]').count() == 0


def test_files_thumbs_and_markdown_in_one_conversation(
    open_chat, model_server, artifacts, tmp_path
):
    chat = open_chat()
    files = {
        "chart.png": image_bytes(size=(320, 200)),
        "notes.md": "# Notes\n\n- 山田: draft\n- Alex: review\n".encode(),
        "report.pdf": pdf_bytes("Quarterly report: uploads grew 12%"),
    }
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    chat.page.locator(FILE_INPUT).set_input_files([tmp_path / name for name in files])
    chat.page.get_by_text("report.pdf").wait_for(state="visible")
    model_server.queue(Reply.text(RICH_ANSWER))
    chat.send("Plan the upload flow for these files")
    _wait_for_actions(chat, 2)

    content = model_server.chat_requests[-1].messages[-1]["content"]
    assert [part["type"] for part in content] == ["text", "image_url"]
    assert "notes.md:\n```md\n# Notes" in content[0]["text"]
    assert "Quarterly report: uploads grew 12%" in content[0]["text"]
    question, answer = chat.page.locator(MESSAGE).all()
    assert question.locator('[data-testid="stImage"] img').count() == 1
    documents = question.locator('[data-testid="stExpander"] summary').all_inner_texts()
    assert [label.split("\n")[-1] for label in documents] == [
        f"notes.md · {len(files['notes.md'])} B · 35 characters",
        f"report.pdf · {len(files['report.pdf'])} B · 34 characters",
    ]

    answer.get_by_role("radio", name="Thumbs down").click()
    comment = answer.get_by_placeholder("What was wrong? (optional; press Enter to save)")
    comment.fill("The diagram should show retries")
    comment.press("Enter")
    answer.get_by_text("Thank you: your comment is saved").wait_for(state="visible")
    question.scroll_into_view_if_needed()
    chat.page.screenshot(path=artifacts / "rich-question.png")
    answer.locator('[data-testid="stMermaidChart"] img').wait_for(state="visible")
    answer.get_by_text("Thank you").scroll_into_view_if_needed()
    chat.page.screenshot(path=artifacts / "rich-answer.png")

    # The rating and its comment are on the Usage page, with the conversation they belong to.
    chat.page.get_by_role("link", name="Usage").click()
    chat.page.get_by_text("Feedback on answers").wait_for(state="visible", timeout=30_000)
    chat.page.set_viewport_size({"width": 1100, "height": 1250})
    chat.page.wait_for_timeout(800)  # the data grid paints on a canvas
    chat.page.screenshot(path=artifacts / "usage-feedback.png")


def test_a_file_that_cannot_be_sent_is_explained(open_chat, model_server, artifacts, tmp_path):
    chat = open_chat()
    (tmp_path / "photo.png").write_bytes(b"this is text, not a picture")
    (tmp_path / "notes.txt").write_bytes(b"fine")
    chat.page.locator(FILE_INPUT).set_input_files([tmp_path / "photo.png", tmp_path / "notes.txt"])
    chat.page.get_by_text("notes.txt").wait_for(state="visible")
    before = len(model_server.chat_requests)
    chat.send("Describe the photo")
    chat.page.get_by_text("Nothing was sent").wait_for(state="visible", timeout=30_000)
    assert len(model_server.chat_requests) == before
    question = chat.page.locator(MESSAGE).first
    assert "photo.png: its content is not what its name says" in question.inner_text()
    chat.page.screenshot(path=artifacts / "refused-file.png")


def test_the_limits_and_a_refusal_read_in_japanese(open_chat, model_server, artifacts, tmp_path):
    chat = open_chat(locale="ja-JP")
    chat.page.get_by_text("何を添付できますか？").click()  # the limits, folded on the empty page
    chat.page.get_by_text("最大5個のファイルを添付できます").wait_for(state="visible")
    (tmp_path / "表.csv").write_bytes(b"\x00\x01binary")
    (tmp_path / "写真.jpg").write_bytes(image_bytes("JPEG", size=(240, 160)))
    chat.page.locator(FILE_INPUT).set_input_files([tmp_path / "表.csv", tmp_path / "写真.jpg"])
    chat.page.get_by_text("写真.jpg").wait_for(state="visible")
    chat.send("この表を説明して")
    chat.page.get_by_text("送信されませんでした").wait_for(state="visible", timeout=30_000)
    question = chat.page.locator(MESSAGE).first
    assert "表.csv：中身がファイル名の示す形式と違います" in question.inner_text()
    question.locator('[data-testid="stImage"] img').wait_for(state="visible")
    chat.page.screenshot(path=artifacts / "rich-japanese.png")
