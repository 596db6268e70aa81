"""Every page names the school's icon, so a browser tab shows it and no page asks for a
/favicon.ico that is not there (a 404 in the console of every page)."""

import re

import httpx

HTML = {"Accept": "text/html"}


async def test_a_page_names_its_icon_and_the_icon_is_served(client: httpx.AsyncClient) -> None:
    page = await client.get("/login", headers=HTML)
    named = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page.text)
    assert named is not None
    icon = await client.get(named.group(1))

    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.text.startswith("<svg")
