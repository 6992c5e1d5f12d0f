"""``crud.list_rows``: pages and the total count agree with the full list for every window."""

from __future__ import annotations

from sqlalchemy.orm import Session

from regdev.monitoring import crud, testing


def test_list_rows_count_and_page_for_every_window(session: Session, world: testing.World) -> None:
    for resource_name in ("regions", "projects"):
        for user in (world.national, world.county_a1):
            everything, total = crud.list_rows(
                session, resource_name=resource_name, user=user, limit=None
            )
            assert total == len(everything)
            assert total > 0
            ids = [r.id for r in everything]
            for skip in range(total + 3):
                for limit in (0, 1, 2, total - 1, total, total + 1, None):
                    if limit is not None and limit < 0:
                        continue
                    rows, count = crud.list_rows(
                        session, resource_name=resource_name, user=user, skip=skip, limit=limit
                    )
                    assert count == total, (resource_name, user.username, skip, limit)
                    end = None if limit is None else skip + limit
                    assert [r.id for r in rows] == ids[skip:end]
