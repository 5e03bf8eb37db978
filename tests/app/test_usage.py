"""Token usage, cost and per-user limits, in the page and in the logic."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from chat_core.usage.estimate import estimate_tokens
from chat_core.usage.prices import cost, parse_prices
from chat_core.usage.tokens import Usage, usage_from
from tests.app.test_app import send
from tests.support.app_server import new_app
from tests.support.scripted_server import Reply, tokenize


def usage_in(at: AppTest) -> int:
    return at.session_state["conversation"].messages[-1].usage.input_tokens


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def test_usage_from_the_stream_is_shown_with_its_cost(app, model_server, clean_env):
    clean_env.setenv("CHAT_PRICES", '{"scripted-small": [1000, 2000]}')
    app.run()
    send(app, "count me")
    assert model_server.chat_requests[-1].body["stream_options"] == {"include_usage": True}
    answer_tokens = len(tokenize("Echo: count me"))  # what the scripted server reports
    line = next(c for c in captions(app) if "tokens in" in c)
    assert line.startswith(f"{usage_in(app):,} tokens in · {answer_tokens} out")
    usage = app.session_state["conversation"].messages[-1].usage
    assert (usage.output_tokens, usage.estimated) == (answer_tokens, False)
    assert f"≈ ${cost(usage, parse_prices(None) | {'scripted-small': (1000, 2000)}):.4f}" in line
    assert any(c.value.startswith("This conversation:") for c in app.sidebar.caption)


def test_a_server_without_usage_is_counted_here_and_says_so(app, model_server):
    app.run()
    model_server.queue(Reply.text("一二三 four five", send_usage=False))
    send(app, "count yourself")
    usage = app.session_state["conversation"].messages[-1].usage
    assert usage.estimated and usage.output_tokens == estimate_tokens("一二三 four five")
    assert any("counted here" in c for c in captions(app))


def test_messages_per_minute_hold_across_sessions(app, model_server, clean_env):
    clean_env.setenv("CHAT_MESSAGES_PER_MINUTE", "2")
    app.run()
    send(app, "one")
    send(app, "two")
    send(app, "three")
    assert len(model_server.chat_requests) == 2
    assert "sent 2 messages in the last minute" in app.error[0].value
    # A new session of the same user (a refresh) is still limited.
    again = new_app().run()
    send(again, "four")
    assert len(model_server.chat_requests) == 2
    assert "in the last minute" in again.error[0].value


def test_tokens_per_day_count_the_longest_answer_before_sending(app, model_server, clean_env):
    """A message is refused when its prompt and max tokens could pass what is left."""
    clean_env.setenv("CHAT_TOKENS_PER_DAY", "10")
    app.run()
    send(app, "a fairly long question that uses tokens")
    assert model_server.chat_requests == []
    assert "could use" in app.error[0].value and "only 10 of the 10" in app.error[0].value


def test_a_used_up_day_refuses_every_message(app, model_server, clean_env):
    clean_env.setenv("CHAT_TOKENS_PER_DAY", "600")
    clean_env.setenv("CHAT_MAX_TOKENS", "64")
    model_server.queue(Reply.text("word " * 700))
    app.run()
    send(app, "one")  # fits (about 90 tokens at worst), then uses more than 600
    send(app, "two")
    assert len(model_server.chat_requests) == 1
    assert "tokens for today" in app.error[0].value


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        ({"input_tokens": 7, "output_tokens": 3}, Usage(7, 3, "m")),
        (None, None),
    ],
)
def test_usage_from_metadata_or_counted(metadata, expected):
    usage = usage_from(metadata, prompt_tokens=7, answer="hi", model="m")
    if expected:
        assert usage == expected
    else:
        assert usage.estimated and usage.output_tokens == estimate_tokens("hi")
        assert usage.input_tokens == 7  # the estimate of what was sent


def test_prices_can_be_overridden_and_unknown_models_have_no_cost():
    prices = parse_prices('{"my-model": [1, 2]}')
    assert prices["gpt-4o-mini"] == (0.15, 0.60)
    assert cost(Usage(1_000_000, 500_000, "my-model"), prices) == 2.0
    assert cost(Usage(1, 1, "unknown"), prices) is None
    assert estimate_tokens("日本語") == 3


def test_the_usage_page_shows_my_totals_and_admins_see_everyone(app, model_server, clean_env):
    clean_env.setenv("CHAT_PRICES", '{"scripted-small": [1000, 2000]}')
    app.run()
    send(app, "first")
    send(app, "second")
    app.switch_page("pages/usage.py").run()
    assert not app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Answers"] == "2"
    assert metrics["Estimated cost"].startswith("$")
    assert "owner" not in app.dataframe[0].value.columns

    clean_env.setenv("CHAT_ADMINS", "local")
    admin = new_app()
    admin.switch_page("pages/usage.py").run()
    assert "everyone's usage" in admin.caption[0].value
    assert list(admin.dataframe[0].value["owner"].unique()) == ["local"]


def test_the_usage_page_lists_rated_answers_with_their_comments(app, model_server, clean_env):
    app.run()
    send(app, "first")
    send(app, "second")
    app.get("feedback")[0].set_value(1).run()
    app.get("feedback")[1].set_value(0).run()
    next(i for i in app.text_input if i.key.startswith("feedback_comment_")).set_value(
        "Missed the point"
    ).run()
    app.switch_page("pages/usage.py").run()
    assert not app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert (metrics["Thumbs up"], metrics["Thumbs down"]) == ("1", "1")
    feedback = app.dataframe[1].value
    assert list(feedback.columns) == ["at", "title", "rating", "comment", "answer"]
    assert feedback.iloc[0][["rating", "comment", "answer"]].tolist() == [
        "👎",
        "Missed the point",
        "Echo: second",
    ]

    clean_env.setenv("CHAT_ADMINS", "local")
    admin = new_app()
    admin.switch_page("pages/usage.py").run()
    assert list(admin.dataframe[1].value["owner"].unique()) == ["local"]


def test_current_openai_models_and_their_snapshots_have_prices():
    prices = parse_prices(None)
    assert cost(Usage(1_000_000, 1_000_000, "gpt-5.4-mini"), prices) == 0.75 + 4.50
    assert cost(Usage(1_000_000, 0, "gpt-5.4-mini-2026-03-17"), prices) == 0.75
    assert cost(Usage(1, 1, "gpt-5.4-mini-custom"), prices) is None


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Etc/GMT+12"])  # 26 hours apart
def test_the_usage_page_counts_days_in_the_visitors_zone_and_says_not_priced(
    app, model_server, zone
):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    app.context["timezone"] = zone
    app.run()
    send(app, "when")  # scripted-small has no price
    app.switch_page("pages/usage.py").run()
    table = app.dataframe[0].value
    assert list(table["day"]) == [datetime.now(ZoneInfo(zone)).date().isoformat()]
    assert list(table["cost"]) == ["not priced"]
    assert {m.label: m.value for m in app.metric}["Estimated cost"] == "—"


def _used(store, owner: str, at: str, tokens: int) -> None:
    from datetime import datetime

    from sqlalchemy import insert

    from chat_core.storage.schema import usage_events

    moment = datetime.fromisoformat(at)
    with store.engine.begin() as connection:
        connection.execute(
            insert(usage_events).values(
                owner=owner, at=moment, model="m", input_tokens=tokens, output_tokens=0
            )
        )


@pytest.mark.parametrize(
    ("zone", "days"),
    [
        ("UTC", {"2026-12-01": 3, "2026-12-02": 28}),
        ("Asia/Tokyo", {"2026-12-02": 7, "2026-12-03": 24}),
        ("America/New_York", {"2026-12-01": 7, "2026-12-02": 24}),
        ("Asia/Kathmandu", {"2026-12-02": 23, "2026-12-03": 8}),  # +5:45: at 18:15 UTC
    ],
)
def test_usage_is_reported_by_day_in_a_time_zone(store, owner, zone, days):
    from zoneinfo import ZoneInfo

    _used(store, owner, "2026-12-01T23:30:00+00:00", 1)
    _used(store, owner, "2026-12-01T23:59:59+00:00", 2)
    _used(store, owner, "2026-12-02T00:10:00+00:00", 4)
    _used(store, owner, "2026-12-02T18:14:59+00:00", 16)
    _used(store, owner, "2026-12-02T18:15:00+00:00", 8)
    report = store.usage_report(owner, ZoneInfo(zone))
    assert {r["day"]: r["input_tokens"] for r in report} == days
    assert sum(r["answers"] for r in report) == 5
