"""A missing account is checked against a stored dummy hash, not one computed at import.

Hashing at import cost every process that merely imports the auth service (a one-shot `cadence ask`
included) an Argon2 hash, ~0.2 s (issue 16). The stored one must cost what a real verify costs, or a
missing email would answer faster than a wrong password.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pwdlib.hashers.argon2 import Argon2Hasher

from domain.auth import security

REPOSITORY = Path(__file__).resolve().parents[2]
COUNT_HASHES_AT_IMPORT = """
from pwdlib.hashers.argon2 import Argon2Hasher
hashed = []
real = Argon2Hasher.hash
Argon2Hasher.hash = lambda self, *a, **k: hashed.append(1) or real(self, *a, **k)
import domain.auth.security
print(len(hashed))
"""


def test_importing_the_auth_secrets_hashes_nothing() -> None:
    done = subprocess.run(  # noqa: S603 - our interpreter, our code
        [sys.executable, "-c", COUNT_HASHES_AT_IMPORT],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.stdout.strip() == "0"


def test_the_dummy_hash_has_today_s_argon2_parameters() -> None:
    """Same memory, time and parallelism as a password hashed now: a missing account takes as long."""
    assert not Argon2Hasher().check_needs_rehash(security._DUMMY_HASH)
    assert security._DUMMY_HASH.split("$")[:4] == security.hash_password("a-password-1").split("$")[:4]


def test_a_missing_account_never_verifies_and_a_real_one_does() -> None:
    assert security.verify_password("whatever-they-typed", None) is False
    assert security.verify_password("", None) is False
    stored = security.hash_password("the-right-one-42")
    assert security.verify_password("the-right-one-42", stored) is True  # the control
    assert security.verify_password("the-wrong-one-42", stored) is False
