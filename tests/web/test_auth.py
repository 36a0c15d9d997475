"""Log-in, the session cookie, CSRF on every POST, and throttling of failed log-ins."""

from __future__ import annotations

from tests.web.conftest import PASSWORD
from xl_pension.web.auth import Throttle


def test_login_returns_the_contract_and_a_strict_http_only_cookie(web, place) -> None:
    c = web.client()
    r = c.post("/api/login", json={"username": "agent_a1", "password": PASSWORD})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"csrf", "role", "township", "village"}
    assert (body["role"], body["township"], body["village"]) == (
        "village",
        place.town_a,
        place.village_a1,
    )
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
    assert c.get("/api/me").json()["username"] == "agent_a1"


def test_wrong_password_unknown_user_and_bad_body_are_refused(web) -> None:
    c = web.client()
    assert (
        c.post("/api/login", json={"username": "agent_a1", "password": "nope"}).status_code == 401
    )
    assert (
        c.post("/api/login", json={"username": "nobody", "password": PASSWORD}).status_code == 401
    )
    assert c.post("/api/login", content=b"not json").status_code == 400
    assert c.get("/api/me").status_code == 401


def test_every_other_post_needs_the_session_and_its_csrf_token(web) -> None:
    c = web.client("county")
    for path in ("/api/rosters", "/api/logout", "/api/county/purge"):
        r = c.post(path, headers={"X-CSRF-Token": "forged"})
        assert r.status_code == 403 and r.json()["code"] == "auth.csrf", path
        r = c.post(path, headers={"X-CSRF-Token": ""})
        assert r.status_code == 403, path
    anonymous = web.client()
    assert anonymous.post("/api/rosters", headers={"X-CSRF-Token": c.csrf}).status_code == 401
    assert c.post("/api/county/purge", json={}).status_code == 200  # with the token
    assert c.post("/api/logout").status_code == 200
    assert c.get("/api/me").status_code == 401


def test_repeated_failures_lock_the_user_name_and_the_address(web) -> None:
    web.config.throttle = Throttle(attempts=3)
    attacker = web.client(address="10.0.0.9")
    for _ in range(web.config.throttle.attempts):
        assert (
            attacker.post("/api/login", json={"username": "clerk_a", "password": "x"}).status_code
            == 401
        )
    r = attacker.post("/api/login", json={"username": "clerk_a", "password": PASSWORD})
    assert r.status_code == 429  # even the right password, while locked
    # The same user from elsewhere is locked too (user name key) ...
    r = web.client(address="10.0.0.10").post(
        "/api/login", json={"username": "clerk_a", "password": PASSWORD}
    )
    assert r.status_code == 429
    # ... and the attacking address is locked for other names (address key).
    r = attacker.post("/api/login", json={"username": "clerk_b", "password": PASSWORD})
    assert r.status_code == 429
    r = web.client(address="10.0.0.11").post(
        "/api/login", json={"username": "clerk_b", "password": PASSWORD}
    )
    assert r.status_code == 200
