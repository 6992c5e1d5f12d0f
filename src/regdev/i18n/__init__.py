"""Korean and English for every page, report, command and error message.

regdev's source language is English; every user-facing string is written in
English in the code and marked for translation.  Catalogues are managed with
`Babel <https://babel.pocoo.org/>`_ (extraction, update, compilation; see
:mod:`regdev.i18n.tools` and ``make i18n``) and live in
``src/regdev/locale/<lang>/LC_MESSAGES/<domain>.po`` with their compiled
``.mo`` next to them.  One *domain* per part of the package (``domains.toml``
says which source folders feed which domain) keeps catalogues small and lets
parts evolve without editing one shared file.

Marking strings
---------------
``_("Plan for {country}", country=name)``
    Translate now, in the current language, then fill ``{placeholders}``
    with :meth:`str.format`.  Placeholders stay in the translation.
``N_("Hospital")``
    Mark for extraction only (module-level constants, table headers); translate
    later with ``_(value)`` or :func:`gettext`.
``ngettext("{n} county", "{n} counties", n, n=n)``
    Plural forms (Korean has one form; English two).

Choosing the language
---------------------
The current language is a context variable: :func:`use_language` sets it for a
``with`` block (one request, one report), :func:`set_language` for the rest of
the context (the CLI's ``--lang``).  Without either, ``REGDEV_LANG`` decides,
then ``en``.

Example
-------
>>> from regdev.i18n import _, use_language
>>> with use_language("en"):
...     _("Language")
'Language'
>>> with use_language("ko"):
...     _("Language")
'언어'
"""

from __future__ import annotations

import contextlib
import contextvars
import gettext as _gettext
import os
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from regdev.errors import ConfigError

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "N_",
    "_",
    "current_language",
    "gettext",
    "html_lang",
    "locale_dir",
    "ngettext",
    "normalise_language",
    "set_language",
    "translations",
    "use_language",
]

#: Languages with complete catalogues, in menu order.
LANGUAGES: tuple[str, ...] = ("ko", "en")
#: The source language of the code (and the fallback).
DEFAULT_LANGUAGE = "en"
#: Each language named in itself (for language menus).
LANGUAGE_NAMES: dict[str, str] = {"ko": "한국어", "en": "English"}

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "regdev_language", default=None
)


def locale_dir() -> Path:
    """The folder that holds the catalogues (``src/regdev/locale``)."""
    return Path(__file__).resolve().parent.parent / "locale"


def normalise_language(lang: str | None) -> str:
    """Map ``"ko"``, ``"ko_KP"``, ``"ko-KR.UTF-8"``, ``"EN"`` ... to a supported code.

    Parameters
    ----------
    lang : str or None
        A language tag or POSIX locale name; ``None`` or ``""`` gives the default.

    Returns
    -------
    str
        One of :data:`LANGUAGES`.

    Raises
    ------
    ConfigError
        When the language is not supported (the message lists the supported ones).
    """
    if not lang:
        return DEFAULT_LANGUAGE
    code = lang.strip().replace("-", "_").split(".")[0].split("_")[0].lower()
    if code in ("c", "posix"):
        return DEFAULT_LANGUAGE
    if code not in LANGUAGES:
        msg = f"language must be one of {', '.join(LANGUAGES)}; got {lang!r}"
        raise ConfigError(msg)
    return code


def current_language() -> str:
    """The language in effect: :func:`use_language` / :func:`set_language`, else ``REGDEV_LANG``."""
    lang = _current.get()
    if lang is not None:
        return lang
    env = os.environ.get("REGDEV_LANG")
    if env:
        try:
            return normalise_language(env)
        except ConfigError:
            return DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


def set_language(lang: str | None) -> str:
    """Set the language for the rest of the current context; returns the normalised code."""
    code = normalise_language(lang)
    _current.set(code)
    return code


@contextlib.contextmanager
def use_language(lang: str | None) -> Iterator[str]:
    """Use ``lang`` inside a ``with`` block (restores the previous language after)."""
    token = _current.set(normalise_language(lang))
    try:
        yield _current.get() or DEFAULT_LANGUAGE
    finally:
        _current.reset(token)


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    """Every domain's compiled catalogue for ``lang``, merged (cached per process).

    Parameters
    ----------
    lang : str
        A code from :data:`LANGUAGES`.

    Returns
    -------
    gettext.NullTranslations
        ``GNUTranslations`` over all ``.mo`` files of the language, or
        ``NullTranslations`` (identity) when there are none.
    """
    folder = locale_dir() / normalise_language(lang) / "LC_MESSAGES"
    merged: _gettext.NullTranslations = _gettext.NullTranslations()
    for mo in sorted(folder.glob("*.mo")) if folder.is_dir() else []:
        with mo.open("rb") as fh:
            cat = _gettext.GNUTranslations(fh)
        if isinstance(merged, _gettext.GNUTranslations):
            merged._catalog.update(cat._catalog)  # type: ignore[attr-defined]
        else:
            merged = cat
    return merged


def _fill(text: str, params: dict[str, Any]) -> str:
    return text.format(**params) if params else text


def gettext(message: str, lang: str | None = None, **params: Any) -> str:
    """Translate ``message`` into ``lang`` (default: the current language) and fill placeholders."""
    code = normalise_language(lang) if lang else current_language()
    return _fill(translations(code).gettext(message), params)


def ngettext(singular: str, plural: str, count: int, lang: str | None = None, **params: Any) -> str:
    """Plural-aware :func:`gettext`; ``count`` picks the form (placeholders are filled separately)."""
    code = normalise_language(lang) if lang else current_language()
    return _fill(translations(code).ngettext(singular, plural, count), params)


def _(message: str, **params: Any) -> str:
    """Translate ``message`` into the current language and fill ``{placeholders}``."""
    return _fill(translations(current_language()).gettext(message), params)


def N_(message: str) -> str:  # noqa: N802 - the conventional name of the no-op marker
    """Mark ``message`` for extraction without translating it now."""
    return message


def html_lang(lang: str | None = None) -> str:
    """The BCP 47 tag for an HTML ``lang`` attribute (``ko`` or ``en``)."""
    return normalise_language(lang) if lang else current_language()


# Messages of this module, kept here so that the ``core`` domain is never empty and the
# language menu can name itself.
_LANGUAGE_LABEL = N_("Language")


def _install_in_errors() -> None:
    """Let :mod:`regdev.errors` (which cannot import this module) translate its messages."""
    from regdev import errors

    errors._HOOKS["gettext"] = gettext
    errors._HOOKS["ngettext"] = ngettext


_install_in_errors()
