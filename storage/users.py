"""Analysts who may sign in to the web UI. Passwords are kept as argon2 hashes only."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, insert, select, update

from storage.models import users

ROLES = ("read", "write")
_HASHER = PasswordHasher()


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str

    @property
    def can_write(self) -> bool:
        return self.role == "write"


class UserError(ValueError):
    """A user that cannot be added as asked."""


def add_user(conn: Connection, username: str, password: str, role: str, *, now: datetime) -> User:
    """Add `username`, or give an existing one a new password and role."""
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if not username.strip() or len(username) > 64:
        raise UserError("a username is 1 to 64 characters")
    if len(password) < 10:
        raise UserError("a password has at least 10 characters")
    values = {"password_hash": _HASHER.hash(password), "role": role}
    found = conn.execute(select(users.c.id).where(users.c.username == username)).scalar()
    if found is None:
        statement = insert(users).values(username=username, created_at=now, **values)
        found = conn.execute(statement.returning(users.c.id)).scalar_one()
    else:
        conn.execute(update(users).where(users.c.id == found).values(**values))
    return User(found, username, role)


def check_password(conn: Connection, username: str, password: str) -> User | None:
    """The user, when `password` is theirs; None otherwise (also for an unknown name, after the
    same work, so that timing does not tell which names exist)."""
    row = conn.execute(select(users).where(users.c.username == username)).first()
    stored = row.password_hash if row is not None else _unknown_hash()
    try:
        _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    return User(row.id, row.username, row.role) if row is not None else None


def get_user(conn: Connection, user_id: int) -> User | None:
    row = conn.execute(select(users).where(users.c.id == user_id)).first()
    return User(row.id, row.username, row.role) if row is not None else None


@functools.cache
def _unknown_hash() -> str:
    """A hash verified for names that do not exist (made once, when first needed: hashing takes
    tens of milliseconds, which every command importing this module would pay)."""
    return _HASHER.hash("no such user: this hash is only verified to spend the same time")
