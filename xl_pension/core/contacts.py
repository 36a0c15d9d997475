"""Who villagers call: each village's 征缴工作专员 (seed 四(五)) and the township office (人社所).

Read from a per-township contacts file (``xl-pension announce --contacts FILE``; the columns are
declared in :mod:`xl_pension.core.schema`) and printed on the 缴费通知 poster and the 明白纸
leaflet. Nothing here is a villager's personal data: the contacts are public service points.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .places import compact, village_key
from .schema import CONTACT_OFFICE_LABELS

_OFFICE_KEYS = frozenset(compact(label) for label in CONTACT_OFFICE_LABELS)


@dataclass(frozen=True)
class Contact:
    """A person and phone to ask (either may be empty: the poster then has a line to fill)."""

    name: str = ""
    phone: str = ""

    @property
    def complete(self) -> bool:
        """True when both the name and the phone are known."""
        return bool(self.name and self.phone)


@dataclass
class ContactBook:
    """The contacts of one or more townships, looked up by township and village name.

    ``villages`` maps ``(township, village)`` keys (``compact`` township, ``""`` when the file
    has no 乡镇 column; :func:`~xl_pension.core.places.village_key` village) to the village's
    专员; ``offices`` maps a township key to its office contact; ``order`` keeps the villages'
    names as listed in the file.
    """

    villages: dict[tuple[str, str], Contact] = field(default_factory=dict)
    offices: dict[str, Contact] = field(default_factory=dict)
    order: list[tuple[str, str]] = field(default_factory=list)  # (township key, village name)

    def add(self, township: str, village: str, contact: Contact) -> None:
        """Record one row: an office row when ``village`` names the township or its office."""
        t, v = compact(township), compact(village)
        if v in _OFFICE_KEYS or (t and v == t):
            self.offices[t] = contact
            return
        key = (t, village_key(village))
        if key not in self.villages:
            self.order.append((t, v))
        self.villages[key] = contact

    def village(self, township: str, village: str) -> Contact | None:
        """The 专员 of a village (rows without a township match any township)."""
        t, v = compact(township), village_key(village)
        return self.villages.get((t, v)) or self.villages.get(("", v))

    def office(self, township: str) -> Contact | None:
        """The township office's contact (a row naming the township itself, or 人社所)."""
        return self.offices.get(compact(township)) or self.offices.get("")

    def villages_of(self, township: str) -> list[str]:
        """The villages listed for ``township`` (and those listed without a township), in order."""
        t = compact(township)
        return [v for tt, v in self.order if tt in (t, "")]
