"""Catalogue maintenance with Babel: extract, update, compile, check.

Run as ``python -m regdev.i18n.tools update`` (``make i18n``) after adding or
changing marked strings: it extracts every domain's messages from its source
folders (``src/regdev/locale/domains.toml``), merges them into each language's
``.po`` (new Korean entries arrive empty and must be translated; English
entries are filled with the source text), and compiles the ``.mo`` files the
package loads.  ``check`` lists what is missing (the test suite runs it).

Catalogues are written without source locations and sorted, so two people
adding messages to different domains never touch the same file and diffs stay
reviewable.
"""

from __future__ import annotations

import datetime
import io
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

from regdev._atomic import atomic_write_bytes
from regdev.i18n import DEFAULT_LANGUAGE, LANGUAGES, locale_dir

__all__ = ["Domain", "check", "compile_all", "domains", "extract", "main", "update"]

_PACKAGE = Path(__file__).resolve().parent.parent
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)[^{}]*\}")
# Fixed header dates: catalogues change only when their messages change (no merge churn).
_STAMP = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
KEYWORDS = {**DEFAULT_KEYWORDS, "_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}


@dataclass(frozen=True)
class Domain:
    """One message domain: a name and the package paths whose strings it holds."""

    name: str
    paths: tuple[str, ...]


def domains() -> list[Domain]:
    """The domains declared in ``locale/domains.toml``."""
    data = tomllib.loads((locale_dir() / "domains.toml").read_text(encoding="utf-8"))
    return [Domain(name, tuple(spec["paths"])) for name, spec in sorted(data["domains"].items())]


def _method_map() -> list[tuple[str, str]]:
    mapping = [("**.py", "python")]
    try:
        import jinja2.ext  # noqa: F401
    except ImportError:  # pragma: no cover - jinja2 comes with the service extra
        return mapping
    return [
        *mapping,
        ("**.html", "jinja2.ext:babel_extract"),
        ("**.j2", "jinja2.ext:babel_extract"),
    ]


def extract(domain: Domain) -> Catalog:
    """Every marked message in the domain's source paths, as a template catalogue."""
    template = Catalog(
        domain=domain.name,
        project="regdev",
        charset="utf-8",
        creation_date=_STAMP,
        revision_date=_STAMP,
    )
    for rel in domain.paths:
        path = _PACKAGE / rel
        if path.is_file():
            found = _extract_file(path)
        elif path.is_dir():
            found = [
                (fn, lineno, msg, comments, ctx)
                for fn, lineno, msg, comments, ctx in extract_from_dir(
                    path,
                    method_map=_method_map(),
                    keywords=KEYWORDS,
                    comment_tags=("TRANSLATORS:",),
                )
            ]
        else:
            msg = f"locale/domains.toml: domain {domain.name!r} names {rel!r}, which does not exist"
            raise FileNotFoundError(msg)
        for fn, lineno, message, comments, ctx in found:
            template.add(
                message, locations=[(f"{rel}/{fn}", lineno)], auto_comments=comments, context=ctx
            )
    return template


def _extract_file(
    path: Path,
) -> list[tuple[str, int, str | tuple[str, ...], list[str], str | None]]:
    from babel.messages.extract import extract as _extract

    # a single template file is read with the Jinja extractor, like a folder's templates
    method = "jinja2.ext:babel_extract" if path.suffix in (".html", ".j2") else "python"
    with path.open("rb") as fh:
        return [
            (path.name, lineno, msg, comments, ctx)
            for lineno, msg, comments, ctx in _extract(
                method, fh, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)
            )
        ]


def _po_path(lang: str, domain: str) -> Path:
    return locale_dir() / lang / "LC_MESSAGES" / f"{domain}.po"


def _read(path: Path, lang: str, domain: str) -> Catalog:
    if not path.exists():
        return Catalog(
            locale=lang,
            domain=domain,
            project="regdev",
            charset="utf-8",
            creation_date=_STAMP,
            revision_date=_STAMP,
        )
    with path.open("rb") as fh:
        return read_po(fh, locale=lang, domain=domain)


def _write_po(path: Path, catalog: Catalog) -> None:
    buf = io.BytesIO()
    write_po(
        buf,
        catalog,
        width=0,
        no_location=True,
        omit_header=False,
        sort_output=True,
        ignore_obsolete=True,
    )
    atomic_write_bytes(path, buf.getvalue())


def _write_mo(path: Path, catalog: Catalog) -> None:
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    atomic_write_bytes(path.with_suffix(".mo"), buf.getvalue())


def update() -> list[str]:
    """Merge freshly extracted messages into every ``.po`` and compile; returns what to translate."""
    todo: list[str] = []
    for domain in domains():
        template = extract(domain)
        for lang in LANGUAGES:
            path = _po_path(lang, domain.name)
            cat = _read(path, lang, domain.name)
            cat.update(template, no_fuzzy_matching=True)
            for message in cat:
                if not message.id:
                    continue
                if lang == DEFAULT_LANGUAGE and not _translated(message.string):
                    message.string = message.id
                elif not _translated(message.string):
                    todo.append(f"{path.relative_to(_PACKAGE)}: {message.id!r}")
            cat.header_comment = f"# regdev messages ({domain.name}), {lang}."
            cat.fuzzy = False
            cat.revision_date = _STAMP
            cat.version = "1"
            cat.msgid_bugs_address = ""
            cat.last_translator = "regdev developers"
            cat.language_team = "regdev developers"
            _write_po(path, cat)
            _write_mo(path, cat)
    return todo


def compile_all() -> None:
    """Compile every ``.po`` into its ``.mo``."""
    for domain in domains():
        for lang in LANGUAGES:
            path = _po_path(lang, domain.name)
            if path.exists():
                _write_mo(path, _read(path, lang, domain.name))


def _translated(string: str | tuple[str, ...] | list[str] | None) -> bool:
    if isinstance(string, tuple | list):
        return all(bool(s) for s in string)
    return bool(string)


def _placeholders(text: str | tuple[str, ...] | list[str] | None) -> set[str]:
    if text is None:
        return set()
    parts = text if isinstance(text, tuple | list) else (text,)
    return {m for part in parts for m in _PLACEHOLDER.findall(part)}


def _key(value: object) -> object:
    """Message ids and strings as hashable values (``read_mo`` gives plural forms as lists)."""
    return tuple(value) if isinstance(value, list | tuple) else value


def compiled_matches(catalog: Catalog, mo_bytes: bytes) -> bool:
    """Whether the compiled ``mo_bytes`` hold exactly the translated, non-fuzzy entries of ``catalog``."""
    compiled = {_key(m.id): _key(m.string) for m in read_mo(io.BytesIO(mo_bytes)) if m.id}
    expected = {
        _key(m.id): _key(m.string)
        for m in catalog
        if m.id and _translated(m.string) and not m.fuzzy
    }
    return compiled == expected


def check() -> list[str]:
    """Every problem with the catalogues (empty list: complete and compiled).

    Checks, per domain and language: every extracted message is in the
    ``.po``; every entry is translated and not fuzzy; the translation uses the
    same ``{placeholders}`` as the source; the ``.mo`` holds exactly the
    ``.po``'s translations; a message shared by two domains has one translation.
    """
    problems: list[str] = []
    seen: dict[tuple[str, str], str] = {}
    for domain in domains():
        wanted = {_key(m.id) for m in extract(domain) if m.id}
        for lang in LANGUAGES:
            path = _po_path(lang, domain.name)
            rel = path.relative_to(_PACKAGE)
            if not path.exists():
                problems.append(f"{rel}: missing (run `make i18n`)")
                continue
            cat = _read(path, lang, domain.name)
            have = {_key(m.id): m for m in cat if m.id}
            problems += [
                f"{rel}: not in the catalogue: {mid!r}"
                for mid in sorted(wanted - set(have), key=str)
            ]
            for mid, message in have.items():
                if not _translated(message.string):
                    problems.append(f"{rel}: untranslated: {mid!r}")
                    continue
                if message.fuzzy:
                    problems.append(f"{rel}: fuzzy: {mid!r}")
                if _placeholders(message.string) != _placeholders(message.id):
                    problems.append(f"{rel}: placeholders differ in {mid!r}")
                key = (lang, repr(mid))
                text = repr(_key(message.string))
                if seen.setdefault(key, text) != text:
                    problems.append(f"{rel}: {mid!r} translated differently in another domain")
            mo = path.with_suffix(".mo")
            if not mo.exists():
                problems.append(f"{rel.with_suffix('.mo')}: missing (run `make i18n`)")
                continue
            if not compiled_matches(cat, mo.read_bytes()):
                problems.append(
                    f"{rel.with_suffix('.mo')}: out of date with the .po (run `make i18n`)"
                )
    return problems


def main(argv: list[str] | None = None) -> int:
    """``python -m regdev.i18n.tools update|compile|check``."""
    args = sys.argv[1:] if argv is None else argv
    command = args[0] if args else "check"
    if command == "update":
        todo = update()
        for line in todo:
            print(f"translate: {line}")  # noqa: T201 - a developer tool's report
        return 0
    if command == "compile":
        compile_all()
        return 0
    if command == "check":
        problems = check()
        for line in problems:
            print(line)  # noqa: T201
        return 1 if problems else 0
    print("usage: python -m regdev.i18n.tools update|compile|check")  # noqa: T201
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
