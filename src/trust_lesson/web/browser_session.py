"""Browser sessions: the API's own server-side session, its token carried in a cookie.

The cookie is HttpOnly and SameSite=Lax; over https it is also Secure and named with the
`__Host-` prefix (bound to this host, path `/`). The CSRF token of a session is an HMAC of the
session token with the service's secret key, so nothing more is stored (SECURITY.md R09).
"""

import hashlib
import hmac

from starlette.requests import HTTPConnection
from starlette.responses import Response

COOKIE = "tl_session"
SECURE_COOKIE = "__Host-tl_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def cookie_name(connection: HTTPConnection) -> str:
    return SECURE_COOKIE if connection.url.scheme == "https" else COOKIE


def cookie_token(connection: HTTPConnection) -> str | None:
    token = connection.cookies.get(cookie_name(connection), "").strip()
    return token or None


def set_session_cookie(response: Response, connection: HTTPConnection, *, token: str) -> None:
    """A browser-session cookie (gone when the browser closes); the server enforces the
    session's idle and absolute expiry itself."""
    response.set_cookie(
        cookie_name(connection),
        token,
        path="/",
        secure=connection.url.scheme == "https",
        httponly=True,
        samesite="lax",
    )


def clear_session_cookie(response: Response, connection: HTTPConnection) -> None:
    response.delete_cookie(
        cookie_name(connection),
        path="/",
        secure=connection.url.scheme == "https",
        httponly=True,
        samesite="lax",
    )


def csrf_token(secret_key: str, session_token: str) -> str:
    """The session's CSRF token: stable for the session, useless for any other one."""
    mac = hmac.new(secret_key.encode(), b"csrf:" + session_token.encode(), hashlib.sha256)
    return mac.hexdigest()


def csrf_token_matches(secret_key: str, session_token: str, presented: str | None) -> bool:
    if not presented:
        return False
    return hmac.compare_digest(csrf_token(secret_key, session_token), presented)


def seal(csrf: str, *what: object) -> str:
    """A mark, for a page's address, that this browser session itself did `what` (say, took
    person 7 out of term 3): the page may then name what it did, which it never does for ids
    anyone can type. Keyed by the session's CSRF token, so no other session can make it."""
    message = ":".join(str(part) for part in what).encode()
    return hmac.new(csrf.encode(), message, hashlib.sha256).hexdigest()[:32]


def seal_matches(csrf: str, presented: str, *what: object) -> bool:
    """False without a browser session (an API client's page view has no CSRF token)."""
    return bool(csrf) and hmac.compare_digest(seal(csrf, *what).encode(), presented.encode())


def same_origin(connection: HTTPConnection) -> bool:
    """False when the browser says the request came from another site.

    Fetch Metadata first (`Sec-Fetch-Site`, sent by every current browser); else `Origin`,
    which is "null" under our `Referrer-Policy: no-referrer` and absent for API clients.
    """
    site = connection.headers.get("sec-fetch-site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = connection.headers.get("origin")
    own = f"{connection.url.scheme}://{connection.url.netloc}"
    return origin is None or origin in ("null", own)
