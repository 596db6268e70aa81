import httpx
from fastapi import FastAPI

from trust_lesson.settings import Settings
from trust_lesson.storage.blobs import BlobStore


async def test_every_part_reports_ready(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/ready")

    assert response.status_code == 200
    assert response.json()["parts"] == {
        "database": "ok",
        "session_store": "ok",
        "blob_store": "ok",
        "queue": "ok",
    }


async def test_an_unreachable_blob_store_makes_the_service_not_ready(
    app: FastAPI, client: httpx.AsyncClient, settings: Settings
) -> None:
    app.state.runtime.blobs = BlobStore.from_settings(
        "s3://no-such-bucket?endpoint=http://127.0.0.1:9&allow_http=true"
        "&access_key_id=x&secret_access_key=y&region=us-east-1",
        settings.data_dir,
    )

    response = await client.get("/health/ready")

    assert response.status_code == 503
    assert response.json()["parts"]["blob_store"] == "unavailable"


async def test_the_front_door_leads_a_stranger_to_the_sign_in_page(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/")

    assert response.status_code == 303
    assert response.headers["location"] == "/login"
