"""``serve --demo``: the sample county in the store, and one demo account per role."""

from __future__ import annotations

import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..app.accounts import ROLE_NAMES, add_account
from . import services
from .config import WebConfig
from .uploads import sniff

DEMO_SEED = 2024


@dataclass(frozen=True)
class DemoAccount:
    """A demo account and its password ('' when it existed already: password unchanged)."""

    name: str
    role: str
    password: str
    place: str

    @property
    def role_name(self) -> str:
        """The role in Chinese."""
        return ROLE_NAMES[self.role]


@dataclass(frozen=True)
class Demo:
    """What ``--demo`` put in the store."""

    accounts: list[DemoAccount]
    submissions: int
    people: int


def _account(
    config: WebConfig, name: str, role: str, township: str = "", village: str = ""
) -> DemoAccount:
    place = f"{township}{village}"
    if config.store.user(name=name) is not None:
        return DemoAccount(name, role, "（已存在，密码不变）", place)
    password = secrets.token_urlsafe(9)
    add_account(
        config.store, config.policy, name, password, role=role, township=township, village=village
    )
    return DemoAccount(name, role, password, place)


def seed_demo(
    config: WebConfig, *, townships: int = 3, villages: int = 4, max_people: int = 300
) -> Demo:
    """Generate the sample county (as ``xl-pension demo`` does: ``townships`` × ``villages``
    of up to ``max_people``), upload every roster once as the county account, and create the
    demo accounts."""
    from ..io.roster_writer import write_roster
    from ..sample import generate_county

    policy = config.policy
    county = generate_county(
        policy,
        seed=DEMO_SEED,
        townships=townships,
        villages_per_township=villages,
        min_people=min(50, max_people),
        max_people=max_people,
    )
    first = county.villages[0]
    accounts = [
        _account(config, "county", "county"),
        *[
            _account(config, f"township{i}", "township", t.name)
            for i, t in enumerate(
                sorted({v.township for v in county.villages}, key=lambda t: t.code), 1
            )
        ],
        _account(config, "village1", "village", first.township.name, first.village),
    ]
    stored = people = 0
    if not config.store.submissions():
        uploader = config.store.user(name="county")
        with tempfile.TemporaryDirectory(prefix="xl-pension-demo-") as tmp:
            for v in county.villages:
                path = Path(tmp) / v.file
                write_roster(path, policy, v.township, v.village, v.records)
                upload = sniff(path.name, path.read_bytes(), config.limits)
                result = services.store_upload(
                    config.store, uploader, upload, policy, config.keep_originals_until
                )
                stored += 1
                people += result.submission.rows
    return Demo(accounts, stored, people)
