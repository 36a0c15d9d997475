"""Every route for every role (and without a session), and the pages' escaping."""

from __future__ import annotations

import pytest

from tests.web.conftest import make_roster

USERS = ("county", "clerk_a", "clerk_b", "agent_a1")


@pytest.fixture
def stored(web, policy, place, tmp_path):
    """Rosters of A1, A2 (township A) and B1 (township B), uploaded by the county."""
    county = web.client("county")
    ids = {}
    for key, town, village, seed in (
        ("a1", place.town_a, place.village_a1, 21),
        ("a2", place.town_a, place.village_a2, 22),
        ("b1", place.town_b, place.village_b1, 23),
    ):
        r = web.upload(county, make_roster(policy, town, village, 12, tmp_path, seed=seed))
        assert r.status_code == 200, r.text
        ids[key] = r.json()["submission"]
    return ids


def expected_table(ids, place) -> list[tuple[str, dict[str, int]]]:
    """(path, status per user) of every GET route."""
    a1, a2, b1 = ids["a1"], ids["a2"], ids["b1"]
    village_a1 = {"county": 200, "clerk_a": 200, "clerk_b": 403, "agent_a1": 200}
    village_a2 = {"county": 200, "clerk_a": 200, "clerk_b": 403, "agent_a1": 403}
    village_b1 = {"county": 200, "clerk_a": 403, "clerk_b": 200, "agent_a1": 403}
    town_a = {"county": 200, "clerk_a": 200, "clerk_b": 403, "agent_a1": 403}
    county = {"county": 200, "clerk_a": 403, "clerk_b": 403, "agent_a1": 403}
    everyone = dict.fromkeys(USERS, 200)
    table = [("/api/me", everyone), ("/api/submissions", everyone), ("/upload", everyone)]
    for sid, who in ((a1, village_a1), (a2, village_a2), (b1, village_b1)):
        table += [(f"/api/submissions/{sid}", who), (f"/submissions/{sid}", who)]
        table += [(f"/api/submissions/{sid}/annotated.xlsx", who)]
        for what in ("computed.xlsx", "remit.xlsx", "notice.html"):
            table.append((f"/api/submissions/{sid}/{what}?skip_invalid=1", who))
    for what in ("summary", "summary.xlsx", "progress.png"):
        table.append((f"/api/townships/{place.town_a}/{what}", town_a))
    table.append((f"/townships/{place.town_a}", town_a))
    for what in ("merge", "merge.xlsx", "progress.png"):
        table.append(
            (
                f"/api/county/merge{'' if what == 'merge' else '.xlsx'}"
                if what != "progress.png"
                else "/api/county/progress.png",
                county,
            )
        )
    table += [("/county", county), ("/api/county/declarations.zip", county)]
    return table


def test_every_route_checks_the_role(web, stored, place) -> None:
    clients = {u: web.client(u) for u in USERS}
    for path, statuses in expected_table(stored, place):
        for user, status in statuses.items():
            r = clients[user].get(path, follow_redirects=False)
            assert r.status_code == status, (path, user, r.status_code, r.text[:200])
            if status == 403 and path.startswith("/api/"):
                assert r.json()["code"] == "auth.forbidden"
    anonymous = web.client()
    for path, _ in expected_table(stored, place):
        r = anonymous.get(path, follow_redirects=False)
        assert r.status_code == (401 if path.startswith("/api/") else 303), path


def test_lists_show_only_what_the_user_may_see(web, stored) -> None:
    seen = {
        u: {s["submission"] for s in web.client(u).get("/api/submissions").json()["submissions"]}
        for u in USERS
    }
    assert seen["county"] == set(stored.values())
    assert seen["clerk_a"] == {stored["a1"], stored["a2"]}
    assert seen["clerk_b"] == {stored["b1"]}
    assert seen["agent_a1"] == {stored["a1"]}


def test_unknown_things_are_404_and_unknown_townships_422(web, stored) -> None:
    c = web.client("county")
    assert c.get("/api/submissions/999").status_code == 404
    assert c.get(f"/api/submissions/{stored['a1']}/other.txt").status_code == 404
    r = c.get("/api/townships/火星镇/summary")
    assert r.status_code == 422 and "不是" in r.json()["error"]


def test_downloads_refuse_errors_unless_skipped_and_after_purge(web, stored) -> None:
    c = web.client("county")
    sid = stored["a1"]
    assert web.config.store.submission(sid).errors > 0
    r = c.get(f"/api/submissions/{sid}/computed.xlsx")
    assert r.status_code == 409 and "错误" in r.json()["error"]
    assert c.post("/api/county/purge", json={"all": True}).json()["purged"] == 3
    r = c.get(f"/api/submissions/{sid}/annotated.xlsx")
    assert r.status_code == 409 and "已按保存期限删除" in r.json()["error"]
    assert (
        c.get(f"/api/submissions/{sid}/remit.xlsx?skip_invalid=1").status_code == 200
    )  # from records
    assert c.get("/api/county/merge").status_code == 200


def test_user_text_is_escaped_in_pages(web, policy, place, tmp_path) -> None:
    hostile = "<script>alert(1)</script>村"
    c = web.client("county")
    r = web.upload(c, make_roster(policy, place.town_a, hostile, 5, tmp_path, seed=5))
    assert r.status_code == 200 and r.json()["village"] == hostile
    for path in (f"/submissions/{r.json()['submission']}", f"/townships/{place.town_a}", "/upload"):
        html = c.get(path).text
        assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html, path


def test_the_township_page_shows_villages_report_and_picture(web, stored, place) -> None:
    html = web.client("clerk_a").get(f"/townships/{place.town_a}").text
    assert place.village_a1 in html and place.village_a2 in html and place.village_b1 not in html
    assert "征缴日报" in html and "复制日报" in html and "progress.png" in html
    png = web.client("clerk_a").get(f"/api/townships/{place.town_a}/progress.png").content
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    assert 1000 <= width <= 1200


def test_the_county_downloads_the_declarations_of_every_township(web, stored, place) -> None:
    import io
    import zipfile

    r = web.client("county").get("/api/county/declarations.zip")
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(r.content)).namelist()
    assert any(place.town_a in n for n in names) and any(place.town_b in n for n in names)
    assert all(n.endswith(".xlsx") and "/" not in n for n in names)
