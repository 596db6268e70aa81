"""The school's Ed25519 signing key, and the public keys a verifier needs (keys.json).

The key is given by a setting (TL_EVIDENCE_SIGNING_KEY, a Multikey private key "z3u2...") or
generated on first start into the data dir (`evidence_keys.json`, readable by the owner only).
Rotation makes a new signing key and keeps every earlier public key listed as retired, so
checkpoints and certificates signed years ago stay verifiable. The published document
(`/.well-known/trust-lesson/keys`) holds public keys only.
"""

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from trust_lesson.evidence import checkpoint, multibase
from trust_lesson.settings import Settings

KEY_FILE = "evidence_keys.json"


class SigningKeyError(ValueError):
    """A key file or keys.json that cannot be read."""


@dataclass(frozen=True, slots=True)
class SchoolPublicKey:
    name: str
    public_key: Ed25519PublicKey
    created: str | None
    retired: str | None = None

    @property
    def key_id(self) -> str:
        """The C2SP signed-note key id (8 hex digits); it also names the key in certificates."""
        return checkpoint.key_id(self.name, self.public_key).hex()

    @property
    def multikey(self) -> str:
        return multibase.encode_key(multibase.ED25519_PUBLIC, self.public_key.public_bytes_raw())

    def published(self) -> dict[str, Any]:
        return {
            "id": self.key_id,
            "type": "Multikey",
            "publicKeyMultibase": self.multikey,
            "noteVerifierKey": checkpoint.verifier_key(self.name, self.public_key),
            "created": self.created,
            "retired": self.retired,
        }


@dataclass(frozen=True, slots=True)
class PublishedKeys:
    """What a verifier trusts: the log's origin (the key name) and every public key by id."""

    origin: str
    keys: tuple[SchoolPublicKey, ...]

    def by_id(self, key_id: str) -> SchoolPublicKey | None:
        return next((k for k in self.keys if k.key_id == key_id), None)

    def trusted(self) -> list[tuple[str, Ed25519PublicKey]]:
        return [(k.name, k.public_key) for k in self.keys]

    def document(self) -> dict[str, Any]:
        return {"origin": self.origin, "keys": [k.published() for k in self.keys]}

    @classmethod
    def from_document(cls, document: Any) -> "PublishedKeys":
        try:
            origin = document["origin"]
            keys = tuple(
                SchoolPublicKey(
                    name=origin,
                    public_key=Ed25519PublicKey.from_public_bytes(
                        multibase.decode_key(multibase.ED25519_PUBLIC, k["publicKeyMultibase"])
                    ),
                    created=k["created"],
                    retired=k.get("retired"),
                )
                for k in document["keys"]
            )
        except (KeyError, TypeError, ValueError) as error:
            raise SigningKeyError(f"not a Trust Lesson keys document: {error}") from error
        return cls(origin=origin, keys=keys)


@dataclass(frozen=True, slots=True)
class SchoolKeys:
    """The signing key in use and the published keys (the signing key's public half first)."""

    signing_key: Ed25519PrivateKey
    public: PublishedKeys

    @property
    def current(self) -> SchoolPublicKey:
        return self.public.keys[0]


def _private(text: str) -> Ed25519PrivateKey:
    seed = multibase.decode_key(multibase.ED25519_PRIVATE, text)
    return Ed25519PrivateKey.from_private_bytes(seed)


def _public(text: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(multibase.decode_key(multibase.ED25519_PUBLIC, text))


def private_multikey(key: Ed25519PrivateKey) -> str:
    return multibase.encode_key(multibase.ED25519_PRIVATE, key.private_bytes_raw())


def load_school_keys(settings: Settings, *, now: datetime) -> SchoolKeys:
    """The configured key, or the key file of the data dir (created on first use)."""
    origin = settings.evidence_origin
    if settings.evidence_signing_key:
        signing = _private(settings.evidence_signing_key)
        retired = [
            SchoolPublicKey(origin, _public(text), created=None, retired=None)
            for text in settings.evidence_retired_keys
        ]
        current = SchoolPublicKey(origin, signing.public_key(), created=None)
        return SchoolKeys(signing, PublishedKeys(origin, (current, *retired)))
    path = settings.ensure_data_dir() / KEY_FILE
    if not path.exists():
        _write_new(path, {"keys": [_new_entry(now)]})
    return _read(path, origin)


def rotate_school_key(settings: Settings, *, now: datetime) -> SchoolKeys:
    """A new signing key in the data dir's key file; earlier keys stay listed as retired."""
    if settings.evidence_signing_key:
        raise SigningKeyError(
            "the signing key is given by TL_EVIDENCE_SIGNING_KEY: set a new one there and list "
            "the old public key in TL_EVIDENCE_RETIRED_KEYS"
        )
    path = settings.ensure_data_dir() / KEY_FILE
    old = load_school_keys(settings, now=now)
    stamp = now.isoformat()
    entries = [_new_entry(now)] + [
        {"public": k.multikey, "created": k.created, "retired": k.retired or stamp}
        for k in old.public.keys
    ]
    _write(path, {"keys": entries})
    return _read(path, settings.evidence_origin)


def _new_entry(now: datetime) -> dict[str, Any]:
    key = Ed25519PrivateKey.generate()
    return {"private": private_multikey(key), "created": now.isoformat(), "retired": None}


def _read(path: Path, origin: str) -> SchoolKeys:
    try:
        entries = json.loads(path.read_text())["keys"]
        signing = _private(entries[0]["private"])
        public = [
            SchoolPublicKey(
                origin,
                _private(e["private"]).public_key() if "private" in e else _public(e["public"]),
                created=e["created"],
                retired=e.get("retired"),
            )
            for e in entries
        ]
    except (OSError, KeyError, IndexError, TypeError, ValueError) as error:
        raise SigningKeyError(f"cannot read the signing key file {path}: {error}") from error
    return SchoolKeys(signing, PublishedKeys(origin, tuple(public)))


def _write_new(path: Path, content: dict[str, Any]) -> None:
    """Create the key file only if no other process has just created it (first start races)."""
    temporary = _temporary(path, content)
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()


def _write(path: Path, content: dict[str, Any]) -> None:
    os.replace(_temporary(path, content), path)


def _temporary(path: Path, content: dict[str, Any]) -> Path:
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=".keys-")  # mode 0600
    with os.fdopen(descriptor, "w") as file:
        json.dump(content, file, indent=2)
    return Path(name)
