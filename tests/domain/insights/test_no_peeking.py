"""The features are built from what the organization knew: never from the demo's hidden truth
(``simulated_traits``), never from anything dated after the as-of day."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
from sqlalchemy import delete, event, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.db import unit_of_work
from domain.demo.models import SimulatedTrait
from domain.insights.features import dropout_features
from domain.insights.history import History, load_history
from domain.insights.late import late_features
from tests.domain.insights.world import TODAY, tiny_world

AS_OF = (TODAY - timedelta(days=120)).toordinal()


def _features(history: History) -> tuple[pd.DataFrame, pd.DataFrame]:
    return dropout_features(history, AS_OF), late_features(history, AS_OF)


async def test_features_are_identical_with_the_truth_emptied_and_no_query_names_it(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await tiny_world(sessions)
    statements: list[str] = []
    async with unit_of_work(sessions, world.school) as session:
        sync_engine = (await session.connection()).engine.sync_engine

        def spy(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
            statements.append(statement)

        event.listen(sync_engine, "before_cursor_execute", spy)
        try:
            before = _features(await load_history(session, world.school))
        finally:
            event.remove(sync_engine, "before_cursor_execute", spy)
        assert statements, "the spy saw the history's queries"
        assert not [s for s in statements if "simulated_traits" in s]

        # The truth is there (positive control), then gone; the features do not move.
        assert (await session.scalar(select(func.count()).select_from(SimulatedTrait)) or 0) > 0
        await session.execute(delete(SimulatedTrait))
        assert await session.scalar(select(func.count()).select_from(SimulatedTrait)) == 0
        after = _features(await load_history(session, world.school))
    assert len(before[0]) > 20 and len(before[1]) > 20
    pd.testing.assert_frame_equal(before[0], after[0])
    pd.testing.assert_frame_equal(before[1], after[1])


async def test_nothing_after_the_as_of_day_changes_its_features(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    world = await tiny_world(sessions)
    async with unit_of_work(sessions, world.school) as session:
        history = await load_history(session, world.school)
    cut = history.known_on(AS_OF)
    # What only the future knew: later marks, payments and charges, and the end dates of later leavers.
    assert (history.marks["day"] > AS_OF).any() and (history.paid["received"] > AS_OF).any()
    assert (history.members["end"].between(AS_OF + 1, TODAY.toordinal())).any()
    assert not (cut.members["end"].between(AS_OF + 1, TODAY.toordinal())).any()
    full, only_known = _features(history), _features(cut)
    pd.testing.assert_frame_equal(full[0], only_known[0])
    pd.testing.assert_frame_equal(full[1], only_known[1])
    # and a changed future (every later mark flipped) changes nothing either
    flipped = History(
        marks=history.marks.assign(came=history.marks["came"] ^ (history.marks["day"] > AS_OF)),
        members=history.members,
        charges=history.charges,
        paid=history.paid,
        ids=history.ids,
    )
    pd.testing.assert_frame_equal(full[0], _features(flipped)[0])
