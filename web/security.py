"""Sign-in and what protects every page: the signed session cookie holds the user's id and a CSRF
token; every form posts the token back; sign-in attempts are rate-limited; a `next` address after
sign-in is only ever a path of this site."""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import Request

from storage.users import User

SESSION_USER, SESSION_CSRF = "user_id", "csrf"
_MAX_KEYS = 10_000


class SignInRequired(Exception):
    """No signed-in user: the handler sends the browser to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class Forbidden(Exception):
    """A signed-in user without the right (a reader changing feeds), or a form without a valid
    CSRF token: 403."""


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use."""
    token = request.session.get(SESSION_CSRF)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[SESSION_CSRF] = token
    return token


def check_csrf(request: Request, sent: object) -> None:
    expected = request.session.get(SESSION_CSRF)
    valid = isinstance(expected, str) and isinstance(sent, str)
    if not (valid and hmac.compare_digest(str(expected), str(sent))):
        raise Forbidden("the form has no valid CSRF token: reload the page and try again")


def safe_next(path: object) -> str:
    """Where to go after sign-in: a path on this site, never another host ("//evil.example",
    "https://...", "/\\evil")."""
    if not isinstance(path, str) or not path.startswith("/") or path.startswith(("//", "/\\")):
        return "/incidents"
    return path if "\\" not in path and "\n" not in path else "/incidents"


def signed_in(request: Request, load: Callable[[int], User | None]) -> User:
    """The signed-in user, or SignInRequired."""
    user_id = request.session.get(SESSION_USER)
    user = load(user_id) if isinstance(user_id, int) else None
    if user is None:
        request.session.pop(SESSION_USER, None)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(target)
    return user


def require_writer(user: User) -> None:
    if not user.can_write:
        raise Forbidden(f"{user.username} may read but not change this (role: {user.role})")


def sign_in(request: Request, user: User) -> None:
    """A fresh session for `user`: a new CSRF token, so a token seen before sign-in is void."""
    request.session.clear()
    request.session[SESSION_USER] = user.id
    csrf_token(request)


@dataclass
class SignInLimiter:
    """At most `attempts` failed sign-ins per user name and per client address in `window_s`
    seconds; a success does not reset the other key's count."""

    attempts: int = 5
    window_s: float = 15 * 60
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _recent(self, key: str) -> deque[float]:
        found = self._failures.setdefault(key, deque())
        while found and found[0] < self.clock() - self.window_s:
            found.popleft()
        return found

    def blocked(self, *keys: str) -> bool:
        with self._lock:
            return any(len(self._recent(key)) >= self.attempts for key in keys)

    def failed(self, *keys: str) -> None:
        with self._lock:
            if len(self._failures) > _MAX_KEYS:  # many names tried: forget those gone quiet
                for key in [k for k in self._failures if not self._recent(k)]:
                    del self._failures[key]
            for key in keys:
                self._recent(key).append(self.clock())
