"""Issue 8, findings 1-2: an enrolment is checked from the headers before any selfie is decoded.

The audit's attack: five different ~40 MP PNGs (a few hundred KiB each) decoded in full before
any check, 2.9 GiB added by three parallel requests. Now the selfie budget (12.6 MP) refuses
them from their headers; the memory bound of the allowed worst case is measured by
tests/security/test_resource_budget.py.
"""

import httpx

from tests.biometrics.conftest import files
from tests.biometrics.stories import enrol, enrolment, give_consent
from tests.support.cost import cpu_seconds
from tests.support.factories import signed_in
from tests.support.hostile_pictures import flat_png, many_scans_jpeg
from trust_lesson.runtime import Runtime


async def test_forty_megapixel_selfies_are_refused_from_their_headers(
    client: httpx.AsyncClient, runtime: Runtime, astronaut_selfies: list[bytes]
) -> None:
    alice = await signed_in(client, runtime)
    await give_consent(client, alice)
    floods = [(f"big{n}.png", flat_png(6400, 6200 + n)) for n in range(4)]
    with cpu_seconds() as cost:
        response = await enrol(client, alice, files(astronaut_selfies[0], *floods))

    assert cost.cpu_s < 1.0  # no decoding happened (decoding them: about 0.8 s of CPU each)
    assert response.status_code == 413
    assert response.json()["code"] == "too_many_pixels"
    assert response.json()["problems"] == [
        {
            "images": ["image 2 (big0.png)"],
            "reason": "The picture has too many pixels (6400 x 6200); the limit is 13 megapixels.",
        }
    ]
    assert (await enrolment(client, alice))["templates"] == 0


async def test_a_many_scan_progressive_jpeg_selfie_is_refused_with_a_clear_reason(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    alice = await signed_in(client, runtime)
    await give_consent(client, alice)

    response = await enrol(client, alice, files(("me.jpg", many_scans_jpeg())))

    assert response.status_code == 422
    assert response.json()["code"] == "too_many_scans"
    assert "image 1 (me.jpg)" in response.json()["detail"]
    assert "Save it again as an ordinary JPEG" in response.json()["detail"]
    assert (await enrolment(client, alice))["templates"] == 0
