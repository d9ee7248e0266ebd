"""Secrets: password hashing (Argon2id via pwdlib), random tokens, and their stored hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from domain.errors import Invalid

_hasher = PasswordHash((Argon2Hasher(),))
# Verified against when the account does not exist, so a missing email takes as long as a wrong password.
# Stored rather than hashed at import, which cost every process ~0.2 s (issue 16); a random password's
# hash, with the hasher's current parameters (a test checks they still are).
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$F/YGjGLe7tVDtSZq6jDKxA$UCtUXHSF4oLWLkhEFCjmyFiGunSjnxbwhEtpul4s03U"
)

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
_COMMON_PASSWORDS = frozenset(
    {
        "password",
        "password1",
        "password123",
        "1234567890",
        "qwertyuiop",
        "letmein123",
        "iloveyou12",
        "dancedance",
        "cadence123",
        "welcome123",
        "administrator",
        "0123456789",
        "qwerty1234",
    }
)


def check_password_policy(password: str, *, email: str) -> None:
    """The first rule the password breaks, as a whole sentence (each one translated: see the catalogue)."""
    field = {"field": "password"}
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(
            "The password must be at least {count} characters.",
            values={"count": MIN_PASSWORD_LENGTH},
            details=field,
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise Invalid(
            "The password must be at most {count} characters.",
            values={"count": MAX_PASSWORD_LENGTH},
            details=field,
        )
    if password.lower() in _COMMON_PASSWORDS or len(set(password)) < 4:
        raise Invalid("The password is too easy to guess.", details=field)
    if password.lower() == email.lower() or password.lower() == email.split("@")[0].lower():
        raise Invalid("The password must not be your email address.", details=field)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    if password_hash is None:
        _hasher.verify(password, _DUMMY_HASH)
        return False
    return _hasher.verify(password, password_hash)


def new_token(prefix: str = "") -> str:
    """A URL-safe random token with 256 bits of entropy."""
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """SHA-256 is enough for high-entropy random tokens (no brute force is possible)."""
    return hashlib.sha256(token.encode()).hexdigest()


def same_secret(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
