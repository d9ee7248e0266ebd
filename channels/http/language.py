"""The language a request is answered in: ``?lang=``, else the heaviest of our languages in
``Accept-Language``, else English. Downloads' headers (``channels/http/exports.py``) and error messages
(``channels/http/errors.py``) both follow it; the pages send ``Accept-Language`` with the language they
show."""

from __future__ import annotations

from fastapi import Request

from domain.auth.language import LANGUAGES as LANGUAGES  # the languages a person may choose


def request_language(request: Request, lang: str | None = None) -> str:
    """``?lang=``, else the heaviest of our languages in ``Accept-Language``, else English."""
    if lang in LANGUAGES:
        return lang
    weighted: list[tuple[float, str]] = []
    for part in request.headers.get("accept-language", "").split(","):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES:
            weighted.append((weight, primary))
    return max(weighted, key=lambda w: w[0])[1] if weighted else "en"
