"""Limits that protect the owner's key: checked and counted in one step, settled after."""

from __future__ import annotations

import os
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import OperationalError

from chat_core.conversation.messages import ChatMessage, Status
from chat_core.errors import ErrorKind, UserFacingError
from chat_core.limits import (
    Counts,
    FallbackLedger,
    LimitReached,
    Limits,
    MemoryLedger,
    Request,
    Reservation,
    check,
    refusal,
    spent,
)
from chat_core.storage.engine import sqlite_url
from chat_core.storage.store import ConversationStore
from chat_core.storage.usage_log import SqlLedger
from chat_core.usage.estimate import estimate_tokens
from chat_core.usage.tokens import Usage
from tests.app.test_app import send
from tests.support.app_server import new_app
from tests.support.scripted_server import Reply

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)
POSTGRES_URL = os.environ.get("CHAT_TEST_DATABASE_URL")


def request(identity: str = "me", *, input_tokens: int = 10, max_tokens: int = 100) -> Request:
    return Request(identity, "m", input_tokens, max_tokens)


def test_nothing_is_limited_by_default():
    assert check(Limits(), Counts(10_000, 10**9, 10**9), request()) is None


def test_each_limit_is_checked_against_the_worst_case():
    counts = Counts(answers_last_minute=2, tokens_last_day=850, tokens_last_day_total=850)
    assert check(Limits(messages_per_minute=2), counts, request()).kind == "messages_per_minute"
    assert check(Limits(messages_per_minute=3), counts, request()) is None
    assert check(Limits(tokens_per_day=960), counts, request()) is None  # 110 of 110 left
    too_large = check(Limits(tokens_per_day=959), counts, request())
    assert (too_large.kind, too_large.left, too_large.needed) == ("tokens_per_day", 109, 110)
    assert check(Limits(tokens_per_day=850), counts, request()) == LimitReached(
        "tokens_per_day", 850
    )
    total = check(Limits(tokens_per_day_total=900), counts, request())
    assert total.kind == "tokens_per_day_total"


def test_a_limit_reached_becomes_the_page_message():
    assert refusal(LimitReached("tokens_per_day", 1000)).kind is ErrorKind.TOKENS_PER_DAY
    assert refusal(LimitReached("tokens_per_day_total", 5)).kind is ErrorKind.TOKENS_PER_DAY_TOTAL
    left = refusal(LimitReached("tokens_per_day", 1000, left=50, needed=600))
    assert left == UserFacingError(
        ErrorKind.TOKENS_LEFT, {"limit": "1,000", "left": "50", "needed": "600"}
    )


def test_every_ending_is_paid_for_except_an_outright_refusal():
    asked = request(input_tokens=40)
    served = Usage(41, 7, "m")
    assert spent(asked, ChatMessage.assistant("x", usage=served)) == served
    stopped = spent(asked, ChatMessage.assistant("partial answer", status=Status.STOPPED))
    assert (stopped.input_tokens, stopped.output_tokens) == (40, estimate_tokens("partial answer"))
    stalled = ChatMessage.assistant(
        "half", status=Status.FAILED, error=UserFacingError(ErrorKind.STALLED)
    )
    assert spent(asked, stalled).total == 40 + estimate_tokens("half")
    timeout = ChatMessage.assistant(
        "", status=Status.FAILED, error=UserFacingError(ErrorKind.TIMEOUT)
    )
    assert spent(asked, timeout).input_tokens == 40  # the server read the prompt
    refused = ChatMessage.assistant("", status=Status.FAILED, error=UserFacingError(ErrorKind.AUTH))
    assert spent(asked, refused).total == 0


def test_the_memory_ledger_counts_reservations_and_settles_them():
    ledger = MemoryLedger()
    limits = Limits(messages_per_minute=2, tokens_per_day=300)
    first = ledger.reserve(request(), limits, NOW)
    assert isinstance(first, Reservation)
    # The first still holds its worst case (110): a second of 110 fits, a third does not.
    assert isinstance(ledger.reserve(request(), limits, NOW), Reservation)
    assert ledger.reserve(request(), limits, NOW).kind == "messages_per_minute"
    ledger.settle(first, Usage(5, 5, "m"))
    later = NOW + timedelta(minutes=2)
    assert isinstance(ledger.reserve(request(), limits, later), Reservation)  # 10 + 110 + 110
    assert ledger.reserve(request(), limits, later).kind == "tokens_per_day"
    assert isinstance(ledger.reserve(request("someone else"), limits, later), Reservation)
    assert isinstance(
        ledger.reserve(request(), limits, NOW + timedelta(days=1, minutes=3)), Reservation
    )


class BrokenLedger:
    def reserve(self, *args):
        raise OperationalError("INSERT", {}, Exception("attempt to write a readonly database"))

    def settle(self, *args):
        raise OperationalError("UPDATE", {}, Exception("readonly"))


def test_limits_stay_on_when_the_database_fails():
    failures: list[str] = []
    ledger = FallbackLedger(
        BrokenLedger(), MemoryLedger(), failures=(OperationalError,), on_failure=failures.append
    )
    limits = Limits(messages_per_minute=1)
    first = ledger.reserve(request(), limits, NOW)
    ledger.settle(first, Usage(1, 1, "m"))
    assert ledger.reserve(request(), limits, NOW).kind == "messages_per_minute"
    assert failures and failures[0].startswith("reserve")


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger(request, tmp_path) -> SqlLedger:
    if request.param == "sqlite":
        return SqlLedger(ConversationStore(sqlite_url(tmp_path / "data")).engine)
    if not POSTGRES_URL:
        pytest.skip("no PostgreSQL: set CHAT_TEST_DATABASE_URL (scripts/test does)")
    return SqlLedger(ConversationStore(POSTGRES_URL).engine)


def test_visitors_sending_at_once_cannot_all_pass_a_limit(ledger):
    """Check and count are one step: 8 tabs at once with a limit of 2 get 2 answers."""
    identity = f"tab-{uuid.uuid4()}"
    limits = Limits(messages_per_minute=2)
    start = threading.Barrier(8)
    outcomes: list[object] = []

    def send_one() -> None:
        start.wait()
        outcomes.append(ledger.reserve(request(identity), limits, datetime.now(UTC)))

    threads = [threading.Thread(target=send_one) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(isinstance(o, Reservation) for o in outcomes) == 2
    assert sum(isinstance(o, LimitReached) for o in outcomes) == 6


def test_the_database_ledger_holds_worst_cases_until_settled(ledger):
    identity = f"me-{uuid.uuid4()}"
    limits = Limits(tokens_per_day=250)
    now = datetime.now(UTC)
    first = ledger.reserve(request(identity), limits, now)
    assert isinstance(first, Reservation)
    assert isinstance(ledger.reserve(request(identity), limits, now), Reservation)
    assert ledger.reserve(request(identity), limits, now).kind == "tokens_per_day"
    ledger.settle(first, Usage(3, 4, "m"))  # 7 + 110 held: 133 left
    assert isinstance(ledger.reserve(request(identity), limits, now), Reservation)
    reached = ledger.reserve(request(identity), limits, now)
    assert (reached.left, reached.needed) == (250 - 7 - 110 - 110, 110)


def test_the_app_wide_budget_holds_whoever_sends(ledger):
    limits = Limits(tokens_per_day_total=10**9)
    now = datetime.now(UTC)
    first = ledger.reserve(request(f"a-{uuid.uuid4()}"), limits, now)
    assert isinstance(first, Reservation)
    tight = Limits(tokens_per_day_total=1)
    assert ledger.reserve(request(f"b-{uuid.uuid4()}"), tight, now).kind == "tokens_per_day_total"


# Through the app -----------------------------------------------------------------------


def test_a_stopped_or_failed_answer_is_counted(app, model_server, clean_env):
    clean_env.setenv("CHAT_MESSAGES_PER_MINUTE", "1")
    model_server.queue(Reply.text("one two three four", cut_after=2))
    app.run()
    send(app, "first")
    assert app.session_state["conversation"].messages[-1].status is Status.FAILED
    send(app, "second")
    assert len(model_server.chat_requests) == 1
    assert "in the last minute" in app.error[-1].value


def test_anonymous_visitors_are_limited_each_on_their_own(model_server, clean_env):
    """Without an owner, each browser session is its own visitor (not one shared id)."""
    from tests.conftest import TEST_KEY

    clean_env.setenv("OPENAI_BASE_URL", model_server.base_url)
    clean_env.setenv("OPENAI_API_KEY", TEST_KEY)
    clean_env.setenv("CHAT_LOCAL_OWNER", "false")
    clean_env.setenv("CHAT_MESSAGES_PER_MINUTE", "1")
    first, second = new_app().run(), new_app().run()
    send(first, "from the first visitor")
    send(second, "from the second visitor")
    assert len(model_server.chat_requests) == 2
    assert not second.error
    send(first, "again")
    assert len(model_server.chat_requests) == 2
    second.switch_page("pages/usage.py").run()
    assert not second.exception
    assert second.metric[0].value == "1"  # their own answer only, not everyone's


def test_a_visitor_cannot_choose_past_the_deployers_caps(app, model_server, clean_env):
    clean_env.setenv("CHAT_ALLOWED_MODELS", "scripted-small, scripted-large")
    clean_env.setenv("CHAT_MAX_TOKENS_LIMIT", "256")
    app.run()
    overrides = app.session_state["settings_overrides"]
    overrides.update(model="o1-pro-any-name", max_tokens=32768)
    send(app, "hello")
    body = model_server.chat_requests[-1].body
    assert body["model"] == "scripted-small"
    assert body.get("max_tokens", body.get("max_completion_tokens")) == 256


def test_a_settlement_settles_its_reservation_once_whichever_end_comes_first():
    from chat_core.limits import Settlement, reserve

    ledger = MemoryLedger()
    now = datetime.now(UTC)
    request = Request(identity="alice", model="m", input_tokens=40, max_tokens=60)
    settlement = reserve(ledger, request, Limits(tokens_per_day=1_000), now)
    assert isinstance(settlement, Settlement)
    assert settlement.settle_unsent() is True  # refused after it was counted
    assert settlement.settle(Usage(40, 500, "m")) is False  # a later end changes nothing
    whole_day = Request(identity="alice", model="m", input_tokens=940, max_tokens=60)
    assert isinstance(ledger.reserve(whole_day, Limits(tokens_per_day=1_000), now), Reservation)
