"""Visitors asking at once, over Streamlit's websocket against `streamlit run`: what each
run that answers sends, in the order its browser gets it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.RootContainer_pb2 import RootContainer

from bench.load_client import ChatSession, at_once
from tests.support.app_server import StreamlitProcess, settings_env
from tests.support.scripted_server import Reply, ScriptedModelServer, last_user_text

VISITORS = 8


@pytest.fixture
def app(_model_server: ScriptedModelServer) -> Iterator[StreamlitProcess]:
    """Anonymous visitors (no history), none held back by the limits."""
    env = settings_env(
        OPENAI_BASE_URL=_model_server.base_url,
        OPENAI_API_KEY="k",
        CHAT_MODEL="scripted-small",
        CHAT_LOCAL_OWNER="false",
        CHAT_ANSWERS_TOTAL="100",
        CHAT_ANSWERS_PER_USER="100",
        CHAT_ANSWERS_PER_ADDRESS="100",
    )
    process = StreamlitProcess(env).wait_ready()
    yield process
    process.stop()


@pytest.fixture
def tagged_answers(model_server: ScriptedModelServer) -> ScriptedModelServer:
    """Each answer names its question's last word: first ``<tag>-start``, last
    ``<tag> end.``, 40 tokens at 100 tokens/s."""

    def script(body) -> Reply:
        tag = last_user_text(body).split()[-1]
        tokens = [f"{tag}-start", *[f" {tag}"] * 38, f" {tag} end."]
        return Reply(tokens=tokens, tokens_per_second=100)

    model_server.script = script
    return model_server


@dataclass(frozen=True)
class AnswerRun:
    """The messages of the run that answered a question, up to its end (it reruns)."""

    tag: str
    messages: list[ForwardMsg]

    def first_markdown_with(self, text: str) -> int | None:
        return next(
            (
                i
                for i, message in enumerate(self.messages)
                if message.WhichOneof("type") == "delta"
                and message.delta.new_element.WhichOneof("type") == "markdown"
                and text in message.delta.new_element.markdown.body
            ),
            None,
        )

    def first_in_sidebar(self) -> int | None:
        return next(
            (
                i
                for i, message in enumerate(self.messages)
                if message.WhichOneof("type") == "delta"
                and message.metadata.delta_path[:1] == [RootContainer.SIDEBAR]
            ),
            None,
        )


def answer_runs_at_once(app: StreamlitProcess, visitors: int) -> list[AnswerRun]:
    """``visitors`` sessions, each page loaded, sending one question at the same moment."""
    sessions = [ChatSession(app.url, timeout=90) for _ in range(visitors)]
    runs: list[AnswerRun] = []

    def visitor(n: int) -> None:
        tag = f"crowd{n}x"
        messages = sessions[n].send_and_keep(f"question {tag}", runs=1)
        runs.append(AnswerRun(tag, messages))

    at_once(visitors, visitor)
    for session in sessions:
        session.close()
    assert len(runs) == visitors
    return runs


@pytest.mark.timeout(240)
@pytest.mark.parametrize("visitors", [1, VISITORS])
def test_a_run_that_answers_draws_the_first_words_before_the_sidebar(app, tagged_answers, visitors):
    for run in answer_runs_at_once(app, visitors):
        first_words = run.first_markdown_with(f"{run.tag}-start")
        sidebar = run.first_in_sidebar()
        assert first_words is not None, run.tag
        assert sidebar is not None, run.tag  # the sidebar is drawn in that run too
        assert first_words < sidebar, run.tag


@pytest.mark.timeout(240)
@pytest.mark.parametrize("visitors", [1, VISITORS])
def test_a_run_that_reruns_after_an_answer_has_sent_all_it_drew(app, tagged_answers, visitors):
    """The next run would drop what the server has not sent yet: the answer's last words
    reach the browser from the run that drew them, not only with the next page."""
    for run in answer_runs_at_once(app, visitors):
        assert run.first_markdown_with(f"{run.tag}-start") is not None, run.tag
        assert run.first_markdown_with(f"{run.tag} end.") is not None, run.tag
