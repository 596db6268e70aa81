"""The school's signing key: made once into the data dir, published, rotated, or configured."""

import stat
from datetime import UTC, datetime

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from trust_lesson.evidence import checkpoint
from trust_lesson.evidence.keys import (
    KEY_FILE,
    PublishedKeys,
    load_school_keys,
    private_multikey,
    rotate_school_key,
)
from trust_lesson.runtime import Runtime
from trust_lesson.settings import Settings

NOW = datetime(2026, 11, 29, 4, 0, tzinfo=UTC)


async def test_the_service_publishes_the_key_it_made_on_first_start(
    client: httpx.AsyncClient, runtime: Runtime, settings: Settings
) -> None:
    answer = await client.get("/.well-known/trust-lesson/keys")

    assert answer.status_code == 200
    document = answer.json()
    assert document["origin"] == settings.evidence_origin
    [key] = document["keys"]
    assert key["publicKeyMultibase"].startswith("z6Mk") and key["retired"] is None
    assert key["id"] == runtime.school_keys.current.key_id
    name, public_key = checkpoint.parse_verifier_key(key["noteVerifierKey"])
    assert name == settings.evidence_origin
    assert checkpoint.key_id(name, public_key).hex() == key["id"]
    key_file = settings.data_dir / KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert private_multikey(runtime.school_keys.signing_key) not in answer.text


def test_the_key_file_is_made_once_and_read_back(settings: Settings) -> None:
    first = load_school_keys(settings, now=NOW)
    again = load_school_keys(settings, now=NOW)
    assert again.current.key_id == first.current.key_id


def test_rotation_signs_with_a_new_key_and_keeps_the_old_one_listed(settings: Settings) -> None:
    old = load_school_keys(settings, now=NOW)
    note = checkpoint.sign("old\n", old.current.name, old.signing_key)

    new = rotate_school_key(settings, now=NOW)

    assert new.current.key_id != old.current.key_id
    assert [k.key_id for k in new.public.keys] == [new.current.key_id, old.current.key_id]
    assert new.public.keys[1].retired == NOW.isoformat()
    published = PublishedKeys.from_document(new.public.document())
    assert checkpoint.open_note(note, published.trusted()) == "old\n"


def test_a_configured_key_is_used_and_retired_keys_are_listed(settings: Settings) -> None:
    key = Ed25519PrivateKey.generate()
    earlier = load_school_keys(settings, now=NOW).current
    configured = settings.model_copy(
        update={
            "evidence_signing_key": private_multikey(key),
            "evidence_retired_keys": [earlier.multikey],
        }
    )
    keys = load_school_keys(configured, now=NOW)
    assert keys.signing_key.public_key().public_bytes_raw() == key.public_key().public_bytes_raw()
    assert [k.key_id for k in keys.public.keys][1] == earlier.key_id
