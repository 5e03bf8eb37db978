"""The database's ledger of requests: reserved when sent, settled when the answer ends."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Engine

from chat_core.limits import DAY, MINUTE, Counts, LimitReached, Limits, Request, Reservation, check
from chat_core.storage.engine import LEDGER_LOCK, exclusive, take_lock
from chat_core.storage.schema import usage_events
from chat_core.usage.tokens import Usage

__all__ = ["SqlLedger"]


class SqlLedger:
    """Checks and counts each request in one transaction, one at a time per database,
    so visitors sending together (from any process) cannot all pass a limit."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def reserve(
        self, request: Request, limits: Limits, now: datetime
    ) -> Reservation | LimitReached:
        with self._engine.connect() as plain:
            connection = exclusive(plain)
            with connection.begin():
                take_lock(connection, LEDGER_LOCK)
                reached = check(limits, self._counts(connection, request.identity, now), request)
                if reached is not None:
                    return reached
                row_id = connection.execute(
                    insert(usage_events)
                    .values(
                        owner=request.identity,
                        at=now,
                        model=request.model[:200],
                        input_tokens=request.input_tokens,
                        output_tokens=request.max_tokens,
                        estimated=1,
                        pending=1,
                    )
                    .returning(usage_events.c.id)
                ).scalar_one()
        return Reservation(row_id, request)

    def settle(self, reservation: Reservation, usage: Usage) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                update(usage_events)
                .where(usage_events.c.id == reservation.ledger_key)
                .values(
                    model=(usage.model or reservation.request.model)[:200],
                    input_tokens=usage.input_tokens,
                    output_tokens=usage.output_tokens,
                    estimated=int(usage.estimated),
                    reasoning_tokens=usage.reasoning_tokens,
                    pending=0,
                )
            )

    @staticmethod
    def _counts(connection, identity: str, now: datetime) -> Counts:
        tokens = usage_events.c.input_tokens + usage_events.c.output_tokens
        mine = usage_events.c.owner == identity
        recent = usage_events.c.at >= now - DAY
        row = connection.execute(
            select(
                func.count().filter(mine & (usage_events.c.at >= now - MINUTE)),
                func.coalesce(func.sum(tokens).filter(mine), 0),
                func.coalesce(func.sum(tokens), 0),
            ).where(recent)
        ).one()
        return Counts(int(row[0]), int(row[1]), int(row[2]))
