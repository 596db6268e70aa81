"""A notice that names what a form did, carried to the next page in its address and signed.

A notice with fixed words needs only a word (`?done=created`). One that names something (the
lesson just deleted) carries its text, so it is signed with the viewer's CSRF token (itself a
secret of their session): a link made elsewhere cannot put words of its own on a staff page.
"""

import hashlib
import hmac

MARK_LENGTH = 64


def mark(csrf: str, notice: str) -> str:
    return hmac.new(csrf.encode(), b"notice:" + notice.encode(), hashlib.sha256).hexdigest()


def verified(csrf: str, notice: str, presented: str) -> str:
    """`notice` when `presented` is its mark for this session; else nothing to show."""
    if (
        not csrf
        or not notice
        or not hmac.compare_digest(mark(csrf, notice).encode(), presented.encode())
    ):
        return ""
    return notice
