"""Initial passwords: made by kaohe when accounts are imported, read off a paper slip and typed once.

Twelve characters in three groups of four (k7mq-x3pt-9hwn), from lower-case letters and digits without
those that print alike (0 and o, 1 and l and i): easy to type on a phone, and 31¹² ≈ 2⁵⁹ possibilities, far
more than the login throttle lets anyone try, for a password that lives only until the first login.
"""

from __future__ import annotations

import secrets
import string

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from kaohe.accounts.models import User

ALPHABET = "".join(c for c in string.ascii_lowercase + string.digits if c not in "0o1li")
GROUPS, GROUP_LENGTH = 3, 4
SEPARATOR = "-"


def initial_password(account: User) -> str:
    """A new random password that Django's validators accept for this account (the username and name too)."""
    while True:
        password = SEPARATOR.join(_random_group() for _group in range(GROUPS))
        if _has_letters_and_digits(password) and _valid_for(password, account):
            return password


def _random_group() -> str:
    return "".join(secrets.choice(ALPHABET) for _character in range(GROUP_LENGTH))


def _has_letters_and_digits(password: str) -> bool:
    return any(c.isdigit() for c in password) and any(c.isalpha() for c in password)


def _valid_for(password: str, account: User) -> bool:
    try:
        password_validation.validate_password(password, account)
    except ValidationError:
        return False
    return True
