"""The read path of the API's list endpoints (pure ASGI, in front of FastAPI's routing).

``GET {prefix}/<resource>`` (``/operations``, ``/projects``, ``/sites``, …) is the
most frequent request of the service and the most expensive one that the response
cache (:mod:`regdev.monitoring.read_cache`) cannot answer: every new filter value or
page is a miss.  Profiled (pyinstrument, ``benchmarks/profile_reads.py``), about two
thirds of such a request went to machinery around the query: route matching across
every router (the list routes come after ~80 others), dependency resolution (session,
settings, token, user), an ORM session and its transaction, the user read again from
the database, ORM instances for every row, and two extra thread hand-offs.

This middleware answers exactly those requests with the same parts, minus the
machinery:

* **who** — the user the read-cache middleware has just authenticated (token
  signature and expiry checked, user checked against the database at the current
  audit head, see :meth:`regdev.monitoring.read_cache.ReadCache.principal`); without
  one the request goes to FastAPI, which answers 401 its own way;
* **which rows** — the query parameters are validated by a pydantic model built from
  the very annotations of the FastAPI route (:func:`~regdev.monitoring.api.routes.
  resources.filter_annotations` and ``PAGING``); any parameter that does not validate
  (or is empty) sends the request to FastAPI, which answers the 422;
* **the query** — :func:`regdev.monitoring.crud.list_records` (scope filter, filters,
  order, count: the function the FastAPI route uses) on a connection of the read-only
  engine, in a worker thread;
* **the answer** — validated and serialised by the route's response model
  (``ListPublic[<Public>]``) with pydantic, as FastAPI does.

Anything unexpected (an error from the database included) falls back to the FastAPI
route, so errors are answered and logged in one place.  The test
``test_fast_list_path_answers_exactly_like_the_route`` compares both paths byte for
byte over every resource, role and filter.  ``REGDEV_FAST_READS=false`` turns the
path off (every request then goes through FastAPI).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from pydantic import BaseModel, TypeAdapter, ValidationError, create_model
from starlette.datastructures import QueryParams
from starlette.types import ASGIApp, Receive, Scope, Send

from regdev.monitoring import crud, schemas
from regdev.monitoring.api.routes.resources import PAGING, filter_annotations
from regdev.monitoring.models import User
from regdev.monitoring.read_cache import PRINCIPAL_KEY, ReadCache

__all__ = ["FastListMiddleware", "FastReads"]


@dataclass
class FastReads:
    """Switch and counter of the read path (``app.state.fast_reads``).

    Attributes
    ----------
    enabled : bool
        ``False`` sends every list request through FastAPI.
    answered : int
        Requests the read path has answered (tests and diagnostics).
    """

    enabled: bool = True
    answered: int = 0


@dataclass(frozen=True)
class _ListRoute:
    resource: crud.Resource
    query: type[BaseModel]
    filters: tuple[str, ...]
    response: TypeAdapter[Any]


def _route(res: crud.Resource) -> _ListRoute:
    fields: dict[str, Any] = {name: (ann, None) for name, ann in filter_annotations(res).items()}
    fields |= dict(PAGING)
    query = create_model(f"{res.name.replace('-', '_')}_list_query", **fields)
    public: Any = res.public
    return _ListRoute(
        resource=res,
        query=query,
        filters=tuple(f.name for f in res.filters),
        response=TypeAdapter(schemas.ListPublic[public]),
    )


class FastListMiddleware:
    """Answer ``GET`` list requests of the API directly (see the module docstring).

    Parameters
    ----------
    app : ASGI application
        The wrapped application (FastAPI), which answers everything else.
    cache : ReadCache
        Holds the read-only engine (``cache.engine``) the queries run on.
    prefix : str
        The API prefix (``/api/v1``).
    switch : FastReads
        On/off switch and counter (``switch.enabled`` is read on every request).
    """

    def __init__(self, app: ASGIApp, *, cache: ReadCache, prefix: str, switch: FastReads) -> None:
        self.app = app
        self.cache = cache
        self.switch = switch
        base = prefix.rstrip("/")
        self.routes = {
            f"{base}/{res.name}": _route(res)
            for res in crud.RESOURCES.values()
            if crud.listable_as_records(res)
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer a list request, or pass the request on."""
        body = None
        if self.switch.enabled and scope["type"] == "http" and scope["method"] == "GET":
            route = self.routes.get(scope["path"])
            known = scope.get(PRINCIPAL_KEY)
            if route is not None and known is not None:
                body = await self._answer(route, known[1], scope.get("query_string", b""))
        if body is None:
            await self.app(scope, receive, send)
            return
        self.switch.answered += 1
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-length", str(len(body)).encode()),
                    (b"content-type", b"application/json"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def _answer(self, route: _ListRoute, user: User, query_string: bytes) -> bytes | None:
        """The JSON body, or ``None`` when FastAPI should answer instead."""
        params = QueryParams(query_string)
        given = {k: params[k] for k in route.query.model_fields if k in params}
        if any(v == "" for v in given.values()):
            return None  # FastAPI's own rules for empty values apply
        try:
            q = route.query.model_validate(given)
        except ValidationError:
            return None  # FastAPI answers the 422
        try:
            rows, count = await anyio.to_thread.run_sync(self._query, route, user, q)
            doc = route.response.validate_python({"data": rows, "count": count})
            return route.response.dump_json(doc)
        except Exception:  # noqa: BLE001 - FastAPI's route answers (and logs) the error
            return None

    def _query(self, route: _ListRoute, user: User, q: BaseModel) -> tuple[list[Any], int]:
        values = q.model_dump()
        with self.cache.engine.connect() as conn:
            return crud.list_records(
                conn,
                resource_name=route.resource.name,
                user=user,
                filters={name: values[name] for name in route.filters},
                skip=values["skip"],
                limit=values["limit"],
            )
