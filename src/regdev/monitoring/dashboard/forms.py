"""Data-entry forms of the dashboard: field specs, validation and per-field messages.

Each form is a :class:`FormSpec` (what the template renders: fields, types, HTML5
limits) plus a pydantic model (what the server accepts).  The browser gets the HTML5
limits for immediate feedback; every field also posts the whole form to the
``validate`` URL on change, and the server answers with the message for that field
(inline validation without client-side code).  On submit the server validates again,
so the browser-side limits are a convenience, never the guard.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from regdev.i18n import N_, _
from regdev.monitoring import rules

__all__ = [
    "FORMS",
    "FieldSpec",
    "FormSpec",
    "FormState",
    "MilestoneForm",
    "ProductionForm",
    "RECORD_FORMS",
    "CorrectionForm",
    "QualityForm",
    "VoidForm",
    "SurveyForm",
    "errors_from_validation",
    "validate_form",
]

_LOT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$")
_MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _raise(message: str | None, translated: str | None = None) -> None:
    """Turn a rule's refusal (see :mod:`regdev.monitoring.rules`) into a field error.

    ``translated`` is the same message in the page's language (the rules speak English,
    the API's language); it replaces the rule's text when the rule refuses.
    """
    if message is not None:
        raise ValueError(translated or message)


def _month_problem(year: int, month: int) -> str | None:
    problem = rules.check_report_month(year, month)
    if problem is None:
        return None
    last = rules.last_finished_month()
    if (year, month) > last:
        return _(
            "month {month} has not ended yet; report finished months only (the latest is {last})",
            month="-".join((format(year, "04d"), format(month, "02d"))),
            last="-".join((format(last[0], "04d"), format(last[1], "02d"))),
        )
    return problem


def _date_problem(d: dt.date, what: str) -> str | None:
    problem = rules.check_actual_date(d, what)
    if problem is not None and d > rules.today():
        return _("{date} is in the future; enter it once it has happened", date=d.isoformat())
    return problem


def _output_problem(output: float, capacity: float) -> str | None:
    if rules.check_output(output, capacity) is None:
        return None
    return _(
        "output {output} exceeds {pct} of capacity {capacity}; check the units",
        output=format(output, "g"),
        pct=format(rules.MAX_OUTPUT_RATIO, ".0%"),
        capacity=format(capacity, "g"),
    )


@dataclass(frozen=True)
class FieldSpec:
    """One form field.

    Parameters
    ----------
    name : str
        Field name (also the pydantic model field).
    label : str
        Label shown to the user.
    kind : str
        HTML input type (``text``, ``number``, ``month``, ``date``) or ``select`` /
        ``textarea``.
    required : bool
        Whether the field must be filled.
    min, max : float or str or None
        HTML5 limits (mirroring the pydantic model).
    step : str or None
        HTML5 ``step`` for numbers (``"any"`` for decimals).
    choices : sequence of (value, text)
        Fixed options for a ``select``; dynamic options come from :class:`FormState`.
    """

    name: str
    label: str
    kind: str = "text"
    required: bool = True
    min: float | str | None = None
    max: float | str | None = None
    step: str | None = None
    choices: Sequence[tuple[str, str]] = ()


@dataclass(frozen=True)
class FormSpec:
    """A data-entry form: its fields and the pydantic model that validates it."""

    name: str
    title: str
    submit: str
    fields: Sequence[FieldSpec]
    model: type[BaseModel]
    model_error_field: str = "__all__"


@dataclass
class FormState:
    """A form as rendered: spec, URLs, submitted values, errors and dynamic options."""

    spec: FormSpec
    action: str
    validate: str
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    options: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    message: str = ""
    ok: bool = False
    csrf: str = ""
    #: the stored record a refused duplicate would repeat (linked from the message)
    existing_url: str = ""
    #: grouped options ``{field: [(group label, [(value, text), ...]), ...]}``
    groups: dict[str, list[tuple[str, list[tuple[str, str]]]]] = field(default_factory=dict)
    #: a short explanation shown above the fields
    intro: str = ""


class _Form(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")


class ProductionForm(_Form):
    """Monthly production record of one production line."""

    site_id: int = Field(gt=0, le=2**31 - 1)
    line: str = Field(min_length=1, max_length=80)
    month: str
    unit: str = Field(default="t", min_length=1, max_length=20)
    output: float = Field(ge=0, le=1e9)
    capacity: float = Field(gt=0, le=1e9)
    #: blank = not known (stored as NULL, not 0)
    raw_local: float | None = Field(default=None, ge=0, le=1e9)
    raw_imported: float | None = Field(default=None, ge=0, le=1e9)

    @field_validator("month")
    @classmethod
    def _month(cls, v: str) -> str:
        if not _MONTH_RE.match(v):
            msg = f"expected a month as YYYY-MM; got {v!r}"
            raise ValueError(msg)
        year, month = (int(x) for x in v.split("-"))
        _raise(_month_problem(year, month))
        return v

    @model_validator(mode="after")
    def _output_vs_capacity(self) -> ProductionForm:
        _raise(_output_problem(self.output, self.capacity))
        return self


class MilestoneForm(_Form):
    """Reaching (or re-planning) a project milestone."""

    project_id: int = Field(gt=0, le=2**31 - 1)
    milestone: str
    planned_date: dt.date | None = None
    actual_date: dt.date | None = None
    note: str = Field(default="", max_length=500)

    @field_validator("milestone")
    @classmethod
    def _milestone(cls, v: str) -> str:
        if v not in MILESTONES:
            msg = f"expected one of {', '.join(MILESTONES)}; got {v!r}"
            raise ValueError(msg)
        return v

    @field_validator("actual_date")
    @classmethod
    def _not_future(cls, v: dt.date | None) -> dt.date | None:
        if v is not None:
            _raise(_date_problem(v, "actual date"))
        return v

    @field_validator("planned_date")
    @classmethod
    def _plausible(cls, v: dt.date | None) -> dt.date | None:
        if v is not None:
            _raise(rules.check_planned_date(v))
        return v

    @model_validator(mode="after")
    def _some_date(self) -> MilestoneForm:
        if self.planned_date is None and self.actual_date is None:
            msg = "enter a planned date, an actual date, or both"
            raise ValueError(msg)
        return self


class QualityForm(_Form):
    """Quality inspection of one lot."""

    site_id: int = Field(gt=0, le=2**31 - 1)
    line: str = Field(min_length=1, max_length=80)
    date: dt.date
    lot_code: str
    sample_size: int = Field(gt=0, le=1_000_000)
    defects: int = Field(default=0, ge=0, le=1_000_000)
    defect_type: str = Field(default="", max_length=80)

    @field_validator("lot_code")
    @classmethod
    def _lot(cls, v: str) -> str:
        if not _LOT_RE.match(v):
            msg = "expected a lot code of 1-40 letters, digits, '.', '_', '/' or '-'"
            raise ValueError(msg)
        return v

    @field_validator("date")
    @classmethod
    def _inspected(cls, v: dt.date) -> dt.date:
        _raise(_date_problem(v, "inspection date"))
        return v

    @model_validator(mode="after")
    def _defects_le_sample(self) -> QualityForm:
        if self.defects > 0 and not self.defect_type:
            msg = "name the main defect type of the defective items"
            raise ValueError(msg)
        if self.defects > self.sample_size:
            msg = f"defects ({self.defects}) cannot exceed the sample size ({self.sample_size})"
            raise ValueError(msg)
        return self


class SurveyForm(_Form):
    """One customer survey answer."""

    site_id: int = Field(gt=0, le=2**31 - 1)
    date: dt.date
    product_category: str = Field(min_length=1, max_length=80)
    lot_code: str = Field(default="", max_length=80)
    score: int = Field(ge=0, le=10)
    comment: str = Field(default="", max_length=1000)

    @field_validator("date")
    @classmethod
    def _surveyed(cls, v: dt.date) -> dt.date:
        _raise(_date_problem(v, "survey date"))
        return v


MILESTONES: tuple[str, ...] = (
    "groundbreaking",
    "construction",
    "inauguration",
    "operating",
    "suspended",
    "cancelled",
)

FORMS: Mapping[str, FormSpec] = {
    "production": FormSpec(
        name="production",
        title=N_("Monthly production record"),
        submit=N_("Save production"),
        model=ProductionForm,
        model_error_field="output",
        fields=(
            FieldSpec("site_id", N_("Factory"), "select"),
            FieldSpec("line", N_("Production line"), "select"),
            FieldSpec("month", N_("Month (YYYY-MM)"), "month", min="2020-01"),
            FieldSpec("unit", N_("Unit"), "text", False),
            FieldSpec("output", N_("Output"), "number", min=0, step="any"),
            FieldSpec("capacity", N_("Capacity"), "number", min=0, step="any"),
            FieldSpec(
                "raw_local", N_("Raw material, local base"), "number", False, min=0, step="any"
            ),
            FieldSpec(
                "raw_imported", N_("Raw material, imported"), "number", False, min=0, step="any"
            ),
        ),
    ),
    "milestone": FormSpec(
        name="milestone",
        title=N_("Milestone update"),
        submit=N_("Save milestone"),
        model=MilestoneForm,
        fields=(
            FieldSpec("project_id", N_("Project"), "select"),
            FieldSpec(
                "milestone", N_("Milestone"), "select", choices=tuple((m, m) for m in MILESTONES)
            ),
            FieldSpec("planned_date", N_("Planned date"), "date", False, min="2020-01-01"),
            FieldSpec("actual_date", N_("Actual date"), "date", False, min="2020-01-01"),
            FieldSpec("note", N_("Note"), "textarea", False),
        ),
    ),
    "quality": FormSpec(
        name="quality",
        title=N_("Quality record"),
        submit=N_("Save quality record"),
        model=QualityForm,
        model_error_field="defects",
        fields=(
            FieldSpec("site_id", N_("Factory"), "select"),
            FieldSpec("line", N_("Production line"), "select"),
            FieldSpec("date", N_("Inspection date"), "date", min="2020-01-01"),
            FieldSpec("lot_code", N_("Batch / lot code")),
            FieldSpec("sample_size", N_("Sample size"), "number", min=1, step="1"),
            FieldSpec("defects", N_("Defective items"), "number", False, min=0, step="1"),
            FieldSpec("defect_type", N_("Main defect type"), required=False),
        ),
    ),
    "survey": FormSpec(
        name="survey",
        title=N_("Customer survey"),
        submit=N_("Save survey"),
        model=SurveyForm,
        fields=(
            FieldSpec("site_id", N_("Factory"), "select"),
            FieldSpec("date", N_("Survey date"), "date", min="2020-01-01"),
            FieldSpec("product_category", N_("Product category")),
            FieldSpec("lot_code", N_("Lot code"), required=False),
            FieldSpec("score", N_("Score (0-10)"), "number", min=0, max=10, step="1"),
            FieldSpec("comment", N_("Comment"), "textarea", False),
        ),
    ),
}


class CorrectionForm(_Form):
    """A correction of one monthly record: the right figures and why."""

    output: float = Field(ge=0, le=1e9)
    capacity: float = Field(gt=0, le=1e9)
    unit: str = Field(default="t", min_length=1, max_length=20)
    #: blank = not known (stored as NULL, not 0)
    raw_local: float | None = Field(default=None, ge=0, le=1e9)
    raw_imported: float | None = Field(default=None, ge=0, le=1e9)
    reason: str = Field(min_length=4, max_length=500)

    @model_validator(mode="after")
    def _output_vs_capacity(self) -> CorrectionForm:
        _raise(_output_problem(self.output, self.capacity))
        return self


class VoidForm(_Form):
    """Voiding one monthly record (kept for the audit trail, left out of the figures)."""

    reason: str = Field(min_length=4, max_length=500)


#: Forms of one stored monthly record (its own page).
RECORD_FORMS: Mapping[str, FormSpec] = {
    "correct": FormSpec(
        name="correct",
        title=N_("Correct this record"),
        submit=N_("Save the correction"),
        model=CorrectionForm,
        model_error_field="output",
        fields=(
            FieldSpec("output", N_("Output"), "number", min=0, step="any"),
            FieldSpec("capacity", N_("Capacity"), "number", min=0, step="any"),
            FieldSpec("unit", N_("Unit"), "text", False),
            FieldSpec(
                "raw_local", N_("Raw material, local base"), "number", False, min=0, step="any"
            ),
            FieldSpec(
                "raw_imported", N_("Raw material, imported"), "number", False, min=0, step="any"
            ),
            FieldSpec("reason", N_("Reason for the correction"), "textarea"),
        ),
    ),
    "void": FormSpec(
        name="void",
        title=N_("Void this record"),
        submit=N_("Void the record"),
        model=VoidForm,
        fields=(FieldSpec("reason", N_("Reason for voiding"), "textarea"),),
    ),
}


#: pydantic's messages for the checks the forms use, marked for translation (the English
#: is pydantic's own wording).
_PYDANTIC_MESSAGES: dict[str, str] = {
    "greater_than_equal": N_("Input should be greater than or equal to {ge}"),
    "greater_than": N_("Input should be greater than {gt}"),
    "less_than_equal": N_("Input should be less than or equal to {le}"),
    "less_than": N_("Input should be less than {lt}"),
    "float_parsing": N_("Input should be a valid number, unable to parse string as a number"),
    "int_parsing": N_("Input should be a valid integer, unable to parse string as an integer"),
    "int_from_float": N_("Input should be a valid integer, got a number with a fractional part"),
    "date_from_datetime_parsing": N_("Input should be a valid date in the format YYYY-MM-DD"),
    "date_parsing": N_("Input should be a valid date in the format YYYY-MM-DD"),
    "string_too_short": N_("String should have at least {min_length} characters"),
    "string_too_long": N_("String should have at most {max_length} characters"),
}


def errors_from_validation(
    exc: ValidationError, field_names: Sequence[str], model_field: str = "__all__"
) -> dict[str, str]:
    """Map a pydantic error to ``{field: message}``; model-level errors go to ``model_field``.

    The first error per field wins; pydantic's ``"Value error, "`` prefix is dropped.
    The domain rules come from :mod:`regdev.monitoring.rules`, the same functions the
    core's ``crud`` applies to API and CSV writes.
    """
    out: dict[str, str] = {}
    for err in exc.errors():
        loc = err.get("loc", ())
        key = str(loc[0]) if loc and str(loc[0]) in field_names else model_field
        text = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
        kind = str(err.get("type", ""))
        if kind == "missing":
            text = _("required")
        elif kind in _PYDANTIC_MESSAGES:
            # pydantic's own English wording, translated (placeholders from its context)
            ctx = {
                k: (f"{v:g}" if isinstance(v, float) else v)
                for k, v in (err.get("ctx") or {}).items()
                if k != "error"
            }
            with contextlib.suppress(KeyError, IndexError):
                text = _(_PYDANTIC_MESSAGES[kind], **ctx)
        out.setdefault(key, text)
    return out


def validate_form(
    spec: FormSpec,
    raw: Mapping[str, Any],
    *,
    extra: Callable[[BaseModel], dict[str, str]] | None = None,
) -> tuple[BaseModel | None, dict[str, str]]:
    """Validate submitted form values.

    Parameters
    ----------
    spec : FormSpec
        The form.
    raw : mapping
        Submitted values (strings); empty strings count as "not given".
    extra : callable, optional
        Context checks run on a valid model (e.g. "this line belongs to this county"),
        returning ``{field: message}``.

    Returns
    -------
    (model or None, errors)
        The validated model and an empty dict, or ``None`` and the messages per field.
    """
    names = [f.name for f in spec.fields]
    data = {k: v for k in names if (v := raw.get(k)) not in (None, "")}
    bad = {k: "text may not contain NUL characters" for k, v in data.items() if "\x00" in str(v)}
    if bad:
        return None, bad
    try:
        model = spec.model.model_validate(data)
    except ValidationError as exc:
        return None, errors_from_validation(exc, names, spec.model_error_field)
    if extra is not None:
        problems = extra(model)
        if problems:
            return None, problems
    return model, {}
