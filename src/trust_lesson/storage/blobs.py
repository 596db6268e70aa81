"""The blob store: server-generated keys, SHA-256 of every stored object, no orphans on failure.

Backed by obstore: `LocalStore` under the data dir by default, or any URL obstore understands
(`s3://bucket/prefix`, `az://container/prefix`, `memory:///` for tests) via `TL_BLOB_URL`.
Every failure of the store surfaces as `BlobStoreUnavailable` (-> 503), never as a half write.
In the local folder every picture is readable by the service's own account only (files 0600,
folders 0700), whatever the process umask.
"""

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import obstore
from obstore.store import LocalStore, ObjectStore, from_url

from trust_lesson.errors import ServiceUnavailable


class BlobStoreUnavailable(ServiceUnavailable):
    code = "blob_store_unavailable"


class BlobNotFound(Exception):
    pass


@dataclass(frozen=True)
class StoredBlob:
    key: str
    sha256: str
    size: int


class BlobStore:
    def __init__(self, store: ObjectStore, local_root: Path | None = None) -> None:
        self._store = store
        self._local_root = local_root

    @classmethod
    def from_settings(cls, blob_url: str | None, data_dir: Path) -> "BlobStore":
        if blob_url:
            return cls(from_url(blob_url))
        folder = (data_dir / "blobs").resolve()
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.chmod(0o700)
        return cls(LocalStore(folder, mkdir=True), local_root=folder)

    async def put(self, data: bytes, *, kind: str, now: datetime, suffix: str) -> StoredBlob:
        """Store under a fresh random key; the caller's file name is never used."""
        key = f"{kind}/{now:%Y/%m/%d}/{uuid.uuid4().hex}{suffix}"
        try:
            await obstore.put_async(self._store, key, data)
            if self._local_root is not None:
                _owner_only(self._local_root, key)
        except Exception as error:
            raise BlobStoreUnavailable("Storage is unavailable; please try again.") from error
        return StoredBlob(key=key, sha256=hashlib.sha256(data).hexdigest(), size=len(data))

    async def get(self, key: str) -> bytes:
        try:
            result = await obstore.get_async(self._store, key)
            return bytes(await result.bytes_async())
        except FileNotFoundError as error:
            raise BlobNotFound(key) from error
        except Exception as error:
            raise BlobStoreUnavailable("Storage is unavailable; please try again.") from error

    async def delete(self, key: str) -> None:
        try:
            await obstore.delete_async(self._store, key)
        except FileNotFoundError:
            return
        except Exception as error:
            raise BlobStoreUnavailable("Storage is unavailable; please try again.") from error

    async def ping(self) -> bool:
        """A read of a key that never exists: answers quickly when the store is reachable.

        (`head_async` of a missing key made the interpreter abort at exit with obstore 0.x.)
        """
        try:
            await obstore.get_async(self._store, "__ready__")
        except FileNotFoundError:
            return True
        except Exception:
            return False
        return True


def _owner_only(root: Path, key: str) -> None:
    """The stored file 0600 and the folders of its key 0700 (obstore creates 0644 / 0755)."""
    path = root / key
    path.chmod(0o600)
    for folder in path.relative_to(root).parents:
        if folder != Path("."):
            (root / folder).chmod(0o700)
