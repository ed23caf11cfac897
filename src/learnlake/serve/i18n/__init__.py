"""Translations and locale formatting: gettext catalogs (Babel) for en, es and ar.

The catalogs are the `.po` files next to this module; they are compiled to gettext's binary form
in memory when first used (so no compiled file can go stale). The request's language is chosen
from `?lang=`, then the `learnlake_lang` cookie, then Accept-Language, and kept in a context
variable that `_()` and the formatters read. Module-level strings are marked with `N_()` and
translated where they are shown.
"""

from __future__ import annotations

import datetime as dt
import gettext as gettext_mod
import io
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LOCALES = ("en", "es", "ar")
RTL = frozenset({"ar"})
DEFAULT = "en"
COOKIE = "learnlake_lang"
CATALOG_DIR = Path(__file__).parent / "locale"

_current: ContextVar[str] = ContextVar("learnlake_locale", default=DEFAULT)


@cache
def translations(lang: str) -> gettext_mod.NullTranslations:
    """The compiled catalog of one language (English is the source: no catalog)."""
    po = CATALOG_DIR / lang / "LC_MESSAGES" / "messages.po"
    if lang == DEFAULT or not po.exists():
        return gettext_mod.NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext_mod.GNUTranslations(buf)


def current() -> str:
    """The language of the request being served."""
    return _current.get()


def set_current(lang: str) -> Any:
    """Switch the language for this context; returns a token for reset()."""
    return _current.set(lang if lang in LOCALES else DEFAULT)


def reset(token: Any) -> None:
    """Undo set_current."""
    _current.reset(token)


def _(message: str) -> str:
    """Translate a UI string into the current language."""
    return translations(current()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a UI string with a count."""
    return translations(current()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, where it is shown."""
    return message


def direction(lang: str | None = None) -> str:
    """'rtl' for right-to-left languages, else 'ltr'."""
    return "rtl" if (lang or current()) in RTL else "ltr"


def negotiate(query_lang: str | None, cookie_lang: str | None, accept_language: str | None) -> str:
    """Pick the language of a request."""
    for lang in (query_lang, cookie_lang):
        if lang in LOCALES:
            return str(lang)
    if accept_language:
        wanted = [part.split(";")[0].strip().replace("-", "_") for part in accept_language.split(",")]
        try:
            found = Locale.negotiate([w for w in wanted if w], list(LOCALES), sep="_")
        except (UnknownLocaleError, ValueError):
            found = None
        if found is not None and found.language in LOCALES:
            return str(found.language)
    return DEFAULT


def fmt_number(value: Any, digits: int = 2) -> str:
    """A number in the current locale (grouping, decimal sign)."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    fmt = "#,##0" if isinstance(value, int) else "#,##0." + "#" * digits
    return format_decimal(value, format=fmt, locale=current())


def fmt_datetime(value: Any) -> str:
    """A date-time (UTC) in the current locale's medium format."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return format_datetime(value, format="medium", tzinfo=dt.UTC, locale=current())
    if isinstance(value, dt.date):
        return format_date(value, format="medium", locale=current())
    return str(value)


def fmt_value(value: Any) -> str:
    """Any cell value for display."""
    if isinstance(value, dt.date | dt.datetime):
        return fmt_datetime(value)
    return fmt_number(value)


class LocaleMiddleware:
    """ASGI middleware choosing the request's language (kept in a context variable)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from starlette.requests import Request

        request = Request(scope)
        lang = negotiate(
            request.query_params.get("lang"),
            request.cookies.get(COOKIE),
            request.headers.get("accept-language"),
        )
        token = set_current(lang)
        try:
            await self.app(scope, receive, send)
        finally:
            reset(token)
