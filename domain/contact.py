"""Validated contact details: emails normalized, phone numbers stored in E.164."""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from domain.errors import Invalid


def clean_email(raw: str | None, *, field: str = "email") -> str | None:
    if raw is None or not raw.strip():
        return None
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise Invalid(
            "Not a valid email address: {problem}", values={"problem": exc}, details={"field": field}
        ) from exc


def require_email(raw: str, *, field: str = "email") -> str:
    email = clean_email(raw, field=field)
    if email is None:
        raise Invalid("An email address is required.", details={"field": field})
    return email


def clean_phone(raw: str | None, *, country: str | None, field: str = "phone") -> str | None:
    """Parse with the organization's country as the default region; international numbers need '+'."""
    if raw is None or not raw.strip():
        return None
    try:
        number = phonenumbers.parse(raw, country)
    except phonenumbers.NumberParseException as exc:
        raise Invalid(
            "Not a valid phone number: {raw!r}.", values={"raw": raw}, details={"field": field}
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise Invalid("Not a valid phone number: {raw!r}.", values={"raw": raw}, details={"field": field})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def clean_name(raw: str, *, field: str = "full_name", max_length: int = 200) -> str:
    name = " ".join(raw.split())
    if not name:
        raise Invalid("A name is required.", details={"field": field})
    if len(name) > max_length:
        raise Invalid(
            "A name has at most {max_length} characters.",
            values={"max_length": max_length},
            details={"field": field},
        )
    return name
