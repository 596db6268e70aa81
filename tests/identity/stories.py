"""Identity stories: the Utopia specimen's holder as a record, and the routes' addresses."""

from typing import Any

import httpx

from tests.support.factories import Person

# The ICAO 9303 "Utopia" passport specimen (../shared/testdata/id_documents, passport-td3.*):
# what its holder would type. A passport prints no parent's name.
ANNA = {
    "document_number": "L898902C3",
    "document_type": "PASSPORT",
    "full_name": "Anna Maria Eriksson",
    "parent_full_name": "Erik Eriksson",
    "birth_date": "1974-08-12",
    "expiry_date": "2012-04-15",
    "country": "UTO",
}


def identity_url(person: Person) -> str:
    return f"/api/v1/users/{person.id}/identity"


async def put_record(
    client: httpx.AsyncClient, person: Person, record: dict[str, Any], *, by: Person | None = None
) -> httpx.Response:
    return await client.put(identity_url(person), json=record, headers=(by or person).headers)
