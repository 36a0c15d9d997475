"""``xl-pension users add`` and ``serve --demo``'s seeding."""

from __future__ import annotations

import io

import pytest

from xl_pension.app.store import Store
from xl_pension.cli import main


def users_add(monkeypatch, password: str, *args: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return main(["users", "add", *args, "--password-stdin"])


def test_users_add_stores_an_argon2_hash_and_checks_the_place(
    monkeypatch, tmp_path, capsys, policy
) -> None:
    data = str(tmp_path / "d")
    town = policy.townships[0].name
    assert (
        users_add(
            monkeypatch,
            "s3cret-pass",
            "wang",
            "--role",
            "village",
            "--township",
            town,
            "--village",
            "王庄村",
            "--data",
            data,
        )
        == 0
    )
    assert "已新建账号 wang" in capsys.readouterr().out
    user = Store.open(data).user(name="wang")
    assert user.password_hash.startswith("$argon2id$") and "s3cret" not in user.password_hash
    assert (user.role, user.township, user.village) == ("village", town, "王庄村")
    from xl_pension.app.accounts import verify_password

    assert verify_password(user, "s3cret-pass") and not verify_password(user, "wrong")
    cases = [
        (["wang", "--role", "county"], "已存在"),
        (["li", "--role", "township", "--township", "火星镇"], "不是"),
        (["li", "--role", "village", "--township", town], "必须指定村"),
    ]
    for args, words in cases:
        assert users_add(monkeypatch, "s3cret-pass", *args, "--data", data) == 2
        assert words in capsys.readouterr().err
    assert users_add(monkeypatch, "short", "zhao", "--role", "county", "--data", data) == 2
    assert "至少 8 个字符" in capsys.readouterr().err


@pytest.mark.parametrize("option", [["--db", "postgresql://nobody@127.0.0.1:1/none"]])
def test_an_unreachable_database_is_one_chinese_sentence(monkeypatch, capsys, option) -> None:
    assert users_add(monkeypatch, "s3cret-pass", "x", "--role", "county", *option) == 2
    err = capsys.readouterr().err
    assert "无法打开数据库" in err and "Traceback" not in err


def test_demo_seeds_the_sample_county_and_accounts_that_log_in(tmp_path, policy) -> None:
    from starlette.testclient import TestClient

    from xl_pension.web.app import WebConfig, create_app
    from xl_pension.web.demo import seed_demo

    store = Store.open(tmp_path / "demo")
    config = WebConfig(store=store, policy=policy)
    demo = seed_demo(config, townships=2, villages=2, max_people=40)
    assert demo.submissions == len(store.latest()) == 4 and demo.people > 0
    roles = {a.role for a in demo.accounts}
    assert roles == {"county", "township", "village"}
    c = TestClient(create_app(config))
    county = next(a for a in demo.accounts if a.role == "county")
    assert (
        c.post(
            "/api/login", json={"username": county.name, "password": county.password}
        ).status_code
        == 200
    )
    merged = c.get("/api/county/merge").json()
    assert sum(t["rows"] for t in merged["ranking"]) == demo.people
    again = seed_demo(
        config, townships=2, villages=2, max_people=40
    )  # a second start keeps the data and the passwords
    assert again.submissions == 0 and "已存在" in again.accounts[0].password
