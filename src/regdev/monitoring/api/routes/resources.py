"""List / get / create / update / delete / CSV import-export routes for every table.

Built once per :class:`regdev.monitoring.crud.Resource` so each resource gets the same
behaviour and the OpenAPI document names its schemas and filters.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
from collections.abc import Callable
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, File, Path, Query, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse, Response

from regdev.errors import DataValidationError, Problem
from regdev.monitoring import bulk, crud, schemas
from regdev.monitoring.crud import Resource
from regdev.monitoring.deps import CurrentUser, SessionDep, WriteSessionDep

_KW = inspect.Parameter.KEYWORD_ONLY
_NO_NUL = r"^[^\x00]*$"
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def _p(name: str, annotation: Any, default: Any = inspect.Parameter.empty) -> inspect.Parameter:
    return inspect.Parameter(name, _KW, annotation=annotation, default=default)


def _id_param(res: Resource) -> inspect.Parameter:
    if res.name in ("provinces", "regions"):
        ann: Any = Annotated[str, Path(max_length=64, pattern=_NO_NUL)]
    else:
        ann = Annotated[int, Path(ge=1, le=schemas.MAX_INT)]
    return _p("row_id", ann)


def filter_annotations(res: Resource) -> dict[str, Any]:
    """Query annotation of each list filter of ``res`` (name → ``Annotated[…, Query()]``)."""
    out: dict[str, Any] = {}
    for f in res.filters:
        q: Any
        if f.type is int:
            q = Annotated[int | None, Query(ge=-schemas.MAX_INT, le=schemas.MAX_INT)]
        elif f.type is dt.date:
            q = Annotated[dt.date | None, Query()]
        else:
            q = Annotated[str | None, Query(max_length=200, pattern=_NO_NUL)]
        out[f.name] = q
    return out


#: Paging parameters of every list endpoint: name → (annotation, default).
PAGING: dict[str, tuple[Any, int]] = {
    "skip": (Annotated[int, Query(ge=0, le=schemas.MAX_INT)], 0),
    "limit": (Annotated[int, Query(ge=1, le=crud.MAX_LIMIT)], 100),
}


def _filter_params(res: Resource) -> list[inspect.Parameter]:
    return [_p(name, q, None) for name, q in filter_annotations(res).items()]


def _with_signature(fn: Callable[..., Any], params: list[inspect.Parameter]) -> Callable[..., Any]:
    fn.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    return fn


def _filters_of(res: Resource, kwargs: dict[str, Any]) -> dict[str, Any]:
    return {f.name: kwargs.get(f.name) for f in res.filters}


def build_router(res: Resource) -> APIRouter:
    """The router of one resource (prefix ``/<name>``, tag ``<name>``)."""
    router = APIRouter(prefix=f"/{res.name}", tags=[res.name])
    name = res.name.replace("-", "_")
    base = [_p("session", SessionDep), _p("user", CurrentUser)]
    wbase = [_p("session", WriteSessionDep), _p("user", CurrentUser)]
    paging = [_p(name, ann, default) for name, (ann, default) in PAGING.items()]

    lister = crud.list_records if crud.listable_as_records(res) else crud.list_rows

    async def list_endpoint(**kw: Any) -> dict[str, Any]:
        # the query runs in a worker thread; the response is validated and serialised
        # on the event loop (an async endpoint spares FastAPI's extra thread hop)
        rows, count = await anyio.to_thread.run_sync(
            functools.partial(
                lister,
                kw["session"],
                resource_name=res.name,
                user=kw["user"],
                filters=_filters_of(res, kw),
                skip=kw["skip"],
                limit=kw["limit"],
            )
        )
        return {"data": rows, "count": count}

    router.add_api_route(
        "",
        _with_signature(list_endpoint, base + paging + _filter_params(res)),
        methods=["GET"],
        response_model=schemas.ListPublic[res.public],  # type: ignore[name-defined]
        summary=f"List {res.name} (filtered, paginated, within your scope)",
        operation_id=f"list_{name}",
    )

    def export_endpoint(**kw: Any) -> Response:
        text = bulk.export_csv(
            kw["session"], resource_name=res.name, user=kw["user"], filters=_filters_of(res, kw)
        )
        headers = {"Content-Disposition": f'attachment; filename="{res.name}.csv"'}
        return PlainTextResponse(text, media_type="text/csv; charset=utf-8", headers=headers)

    router.add_api_route(
        "/export.csv",
        _with_signature(export_endpoint, base + _filter_params(res)),
        methods=["GET"],
        response_class=PlainTextResponse,
        summary=f"Download {res.name} as CSV (filters apply)",
        operation_id=f"export_{name}",
        responses={200: {"content": {"text/csv": {}}}},
    )

    if res.importable:

        async def import_endpoint(**kw: Any) -> Any:
            # the upload is already spooled to a temporary file (bounded by the request
            # guard's upload limit); the import reads it row by row in a worker thread,
            # so the event loop keeps answering other requests meanwhile
            upload: UploadFile = kw["file"]
            fname = (upload.filename or "upload.csv").replace("\x00", "")[:200]
            if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
                raise DataValidationError([Problem(fname, None, None, "file larger than 50 MiB")])
            session = kw["session"]

            def run() -> Any:
                upload.file.seek(0)
                batch = bulk.import_csv(
                    session,
                    resource_name=res.name,
                    actor=kw["user"],
                    stream=upload.file,
                    filename=fname,
                )
                session.commit()
                return batch

            return await run_in_threadpool(run)

        router.add_api_route(
            "/import",
            _with_signature(
                import_endpoint,
                [
                    *wbase,
                    _p(
                        "file",
                        Annotated[
                            UploadFile,
                            File(description="CSV file, header = the create schema's fields"),
                        ],
                    ),
                ],
            ),
            methods=["POST"],
            status_code=201,
            response_model=schemas.ImportBatchPublic,
            summary=f"Bulk-import {res.name} from CSV (all rows or none, one transaction)",
            operation_id=f"import_{name}",
        )

    def get_endpoint(**kw: Any) -> Any:
        return crud.get_row(
            kw["session"], resource_name=res.name, user=kw["user"], row_id=kw["row_id"]
        )

    router.add_api_route(
        "/{row_id}",
        _with_signature(get_endpoint, [*base, _id_param(res)]),
        methods=["GET"],
        response_model=res.public,
        summary=f"One {res.name} row",
        operation_id=f"get_{name}",
    )

    def create_endpoint(**kw: Any) -> Any:
        session = kw["session"]
        row = crud.create(session, resource_name=res.name, actor=kw["user"], data=kw["body"])
        session.commit()
        return row

    router.add_api_route(
        "",
        _with_signature(create_endpoint, [*wbase, _p("body", res.create)]),
        methods=["POST"],
        status_code=201,
        response_model=res.public,
        summary=f"Create a {res.name} row",
        operation_id=f"create_{name}",
    )

    def update_endpoint(**kw: Any) -> Any:
        session = kw["session"]
        row = crud.update(
            session, resource_name=res.name, actor=kw["user"], row_id=kw["row_id"], data=kw["body"]
        )
        session.commit()
        return row

    router.add_api_route(
        "/{row_id}",
        _with_signature(update_endpoint, [*wbase, _id_param(res), _p("body", res.update)]),
        methods=["PATCH"],
        response_model=res.public,
        summary=f"Update a {res.name} row",
        operation_id=f"update_{name}",
    )

    if res.deletable:

        def delete_endpoint(**kw: Any) -> Response:
            session = kw["session"]
            crud.delete(session, resource_name=res.name, actor=kw["user"], row_id=kw["row_id"])
            session.commit()
            return Response(status_code=204)

        router.add_api_route(
            "/{row_id}",
            _with_signature(delete_endpoint, [*wbase, _id_param(res)]),
            methods=["DELETE"],
            status_code=204,
            response_class=Response,
            summary=f"Delete a {res.name} row",
            operation_id=f"delete_{name}",
        )
    return router


def build_routers() -> list[APIRouter]:
    """One router per entry of :data:`regdev.monitoring.crud.RESOURCES`."""
    return [build_router(res) for res in crud.RESOURCES.values()]
