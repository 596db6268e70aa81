"""Argon2id password hashing and the password policy (SECURITY.md R01, R02)."""

import string
from functools import cache, lru_cache

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 128

# OWASP's minimum for Argon2id: 19 MiB of memory, two passes, one lane.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


@cache
def _dummy_hash() -> str:
    """Verified against when there is no account, to even out timing; made on first use."""
    return _HASHER.hash("a password nobody has, used to even out timing")


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str) -> str | None:
    """Why a new password is refused, or None when it is acceptable (used exactly as typed)."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if _is_common(password):
        return "This password is too common; choose one that is harder to guess."
    patterns = _easy_patterns(password)
    if patterns:
        return (
            f"This password is too easy to guess: it is made of {patterns}. Choose a few "
            "unrelated words or a longer phrase."
        )
    return None


# zxcvbn's estimate below which a password falls to an offline attack within hours (score < 3).
MIN_GUESSES_LOG10 = 8
_PATTERN_WORDS = {
    "spatial": "a keyboard walk (like qwerty or 1qaz2wsx)",
    "repeat": "repeats (like abcabc or aaaa)",
    "sequence": "a sequence (like abcdef or 123456)",
    "dictionary": "common words or names",
    "date": "a date",
    "regex": "a simple pattern",
}


def _easy_patterns(password: str) -> str | None:
    """What makes the password guessable, when zxcvbn finds it under 10^8 guesses."""
    from zxcvbn import zxcvbn

    estimate = zxcvbn(password[:72])  # zxcvbn's own length limit; the rest only adds strength
    if estimate["guesses_log10"] >= MIN_GUESSES_LOG10:
        return None
    found = dict.fromkeys(
        m["pattern"] for m in estimate["sequence"] if m["pattern"] in _PATTERN_WORDS
    )
    return " and ".join(_PATTERN_WORDS[name] for name in found) or "too few different characters"


def _is_common(password: str) -> bool:
    lowered = password.lower()
    core = lowered.rstrip(string.digits + string.punctuation + " ")
    common = _common_passwords()
    return lowered in common or (len(core) >= 4 and core in common) or len(set(lowered)) <= 2


def hash_password_sync(password: str) -> str:
    return _HASHER.hash(password)


async def hash_password(password: str) -> str:
    return await anyio.to_thread.run_sync(_HASHER.hash, password)


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        verified = _HASHER.verify(password_hash or _dummy_hash(), password)
        return verified and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the account exists (no enumeration by timing)."""
    return await anyio.to_thread.run_sync(_verify, password_hash, password)
