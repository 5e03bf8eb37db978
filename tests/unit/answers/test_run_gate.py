"""The gate that lets one page run compute at a time, first words first."""

from __future__ import annotations

import threading
import time

from chat_core.answers.run_gate import RunGate

WAIT = 5.0  # generous: these threads only wait on each other


def _enter_in_thread(gate: RunGate, urgent: bool, order: list[str], name: str):
    entered = threading.Event()

    def run() -> None:
        turn = gate.enter(urgent=urgent)
        order.append(name)
        entered.set()
        turn.leave()

    threading.Thread(target=run, daemon=True).start()
    return entered


def _wait_until_waiting(gate: RunGate, urgent: int) -> None:
    deadline = time.monotonic() + WAIT
    while gate.urgent_waiting() < urgent and time.monotonic() < deadline:
        time.sleep(0.005)


def test_a_turn_is_held_by_one_run_at_a_time():
    gate = RunGate(permits=1)
    first = gate.enter(urgent=True)
    order: list[str] = []
    entered = _enter_in_thread(gate, True, order, "second")
    assert not entered.wait(0.2)  # the second waits while the first holds its turn
    first.leave()
    assert entered.wait(WAIT)
    assert order == ["second"]


def test_urgent_runs_go_before_runs_that_waited_longer():
    gate = RunGate(permits=1, patience=WAIT)
    holder = gate.enter(urgent=True)
    order: list[str] = []
    rest_in = _enter_in_thread(gate, False, order, "rest of a page")
    time.sleep(0.05)
    words_in = _enter_in_thread(gate, True, order, "first words")
    _wait_until_waiting(gate, urgent=1)
    holder.leave()
    assert words_in.wait(WAIT) and rest_in.wait(WAIT)
    assert order == ["first words", "rest of a page"]


def test_a_run_that_is_not_urgent_waits_for_urgent_ones_only_as_long_as_its_patience():
    gate = RunGate(permits=1, patience=0.2)
    crowd_ends = time.monotonic() + WAIT

    def urgent_crowd() -> None:  # two of them: one always waits while the other computes
        while time.monotonic() < crowd_ends:
            turn = gate.enter(urgent=True)
            time.sleep(0.005)
            turn.leave()

    crowd = [threading.Thread(target=urgent_crowd, daemon=True) for _ in range(2)]
    for thread in crowd:
        thread.start()
    _wait_until_waiting(gate, urgent=1)
    started = time.monotonic()
    turn = gate.enter(urgent=False)
    waited = time.monotonic() - started
    turn.leave()
    assert 0.15 <= waited < WAIT - 1  # held back by the crowd, then let in


def test_leaving_twice_frees_one_turn():
    gate = RunGate(permits=1)
    turn = gate.enter(urgent=False)
    turn.leave()
    turn.leave()
    again = gate.enter(urgent=False)
    order: list[str] = []
    entered = _enter_in_thread(gate, False, order, "third")
    assert not entered.wait(0.2)  # one permit only, held by ``again``
    again.leave()
    assert entered.wait(WAIT)
