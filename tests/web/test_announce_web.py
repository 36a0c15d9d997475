"""The web service serves each village's 缴费通知 and 明白纸, with the township page's role checks."""

from __future__ import annotations

from urllib.parse import quote

from tests.cli.test_announce_command import poster_tiers, read_page
from tests.web.conftest import make_roster


def test_township_page_links_the_villages_posters(web, policy, place, tmp_path) -> None:
    clerk = web.client("clerk_a")
    roster = make_roster(policy, place.town_a, place.village_a1, 5, tmp_path, seed=3)
    assert web.upload(clerk, roster).status_code == 200
    page = clerk.get(f"/townships/{place.town_a}")
    assert page.status_code == 200
    link = f"/api/townships/{place.town_a}/announce/poster.html?village={quote(place.village_a1)}"
    assert link in page.text
    r = clerk.get(link)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    path = tmp_path / "poster.html"
    path.write_text(r.text, encoding="utf-8")
    printed = read_page(path)
    assert poster_tiers(printed) == [
        (t.amount, t.subsidy, t.amount + t.subsidy) for t in policy.tiers
    ]
    assert place.village_a1 in printed.flat


def test_roles_decide_who_gets_which_village(web, place) -> None:
    base = f"/api/townships/{place.town_a}/announce"
    leaflet = f"{base}/leaflet.html?village={quote(place.village_a1)}"
    other = f"{base}/leaflet.html?village={quote(place.village_a2)}"
    assert web.client("agent_a1").get(leaflet).status_code == 200
    assert web.client("agent_a1").get(f"{base}/poster.html").status_code == 200  # own village
    assert web.client("agent_a1").get(other).status_code == 403
    assert web.client("clerk_b").get(leaflet).status_code == 403
    assert web.client("county").get(f"{base}/flyer.html").status_code == 404
    assert web.client().get(leaflet).status_code == 401
