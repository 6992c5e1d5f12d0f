"""Property: any single change to any stored audit entry is reported at exactly that entry."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text, update
from sqlalchemy.orm import Session

from regdev.monitoring import audit, testing
from regdev.monitoring.models import AuditEntry

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.text(max_size=8)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=6,
)
changes = st.builds(
    audit.Change,
    action=st.sampled_from(["create", "update", "delete"]),
    entity=st.sampled_from(["projects", "operations", "surveys"]),
    entity_id=st.integers(1, 10_000).map(str),
    before=st.none() | st.dictionaries(st.text(min_size=1, max_size=5), json_values, max_size=3),
    after=st.none() | st.dictionaries(st.text(min_size=1, max_size=5), json_values, max_size=3),
)
FIELDS = ["actor", "action", "entity", "entity_id", "after", "prev_hash", "hash", "at"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    batches=st.lists(st.lists(changes, min_size=1, max_size=4), min_size=1, max_size=4),
    data=st.data(),
)
def test_any_single_tampering_is_found_at_its_entry(
    batches: list[list[audit.Change]], data: st.DataObject
) -> None:
    engine = testing.sqlite_memory_engine()
    with Session(engine) as s:
        for i, batch in enumerate(batches):
            audit.record(s, actor=f"user{i}", changes=batch)
            s.commit()
        report = audit.verify_chain(s)
        assert report.ok
        n = report.n_entries
    seq = data.draw(st.integers(1, n), label="seq")
    field = data.draw(st.sampled_from(FIELDS), label="field")
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_log_no_update"))
        values: dict[str, object] = {
            "actor": "mallory",
            "action": "tamper",
            "entity": "users",
            "entity_id": "-1",
            "after": {"forged": 12345678901234567890},  # outside the generated range
            "prev_hash": "f" * 64,
            "hash": "e" * 64,
        }
        if field == "at":
            conn.execute(
                text("UPDATE audit_log SET at = '1999-01-01 00:00:00.000000' WHERE seq = :s"),
                {"s": seq},
            )
        else:
            conn.execute(
                update(AuditEntry).where(AuditEntry.seq == seq).values({field: values[field]})
            )
    with Session(engine) as s:
        report = audit.verify_chain(s)
    assert not report.ok
    assert report.first_bad_seq == seq
    engine.dispose()
