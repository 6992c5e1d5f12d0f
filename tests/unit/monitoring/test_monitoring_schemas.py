"""The API schemas never accept a value the database column would refuse (a 500 on PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Integer, String

from regdev.monitoring import crud, schemas
from regdev.monitoring.models import User


def _options(prop: dict[str, Any]) -> list[dict[str, Any]]:
    return [o for o in prop.get("anyOf", [prop]) if o.get("type") != "null"]


CASES = [
    (res.name, schema, res.model)
    for res in crud.RESOURCES.values()
    for schema in (res.create, res.update)
] + [("users", schemas.UserCreate, User), ("users", schemas.UserUpdate, User)]


@pytest.mark.parametrize(
    ("name", "schema", "model"), CASES, ids=[f"{c[0]}-{c[1].__name__}" for c in CASES]
)
def test_limits_fit_the_columns(name: str, schema: Any, model: Any) -> None:
    table = model.__table__
    props = schema.model_json_schema()["properties"]
    for field_name, prop in props.items():
        if field_name not in table.c:
            continue
        col_type = table.c[field_name].type
        for opt in _options(prop):
            if isinstance(col_type, String) and col_type.length is not None:
                if "enum" in opt:
                    longest = max(len(v) for v in opt["enum"])
                elif "const" in opt:
                    longest = len(opt["const"])
                else:
                    longest = opt.get("maxLength")
                assert longest is not None, f"{schema.__name__}.{field_name} has no length limit"
                assert longest <= col_type.length, (
                    f"{schema.__name__}.{field_name}: {longest} > {col_type.length}"
                )
            if isinstance(col_type, Integer) and opt.get("type") == "integer":
                assert opt.get("maximum", 2**63) <= 2**31 - 1, f"{schema.__name__}.{field_name}"
                assert opt.get("minimum", -(2**63)) >= -(2**31), f"{schema.__name__}.{field_name}"
