"""The workbooks checked in under workbooks/ are exactly what the project's commands produce."""

from __future__ import annotations

from pathlib import Path

from xl_pension.cli import main
from xl_pension.core.schema import TEMPLATE_FILE_NAME

WORKBOOKS = Path(__file__).resolve().parents[2] / "workbooks"


def test_roster_template_is_up_to_date(tmp_path: Path) -> None:
    fresh = tmp_path / TEMPLATE_FILE_NAME
    assert main(["template", "-o", str(fresh)]) == 0
    checked_in = WORKBOOKS / TEMPLATE_FILE_NAME
    assert checked_in.exists(), "run: xl-pension template -o workbooks/村级花名册模板.xlsx"
    assert fresh.read_bytes() == checked_in.read_bytes(), (
        "workbooks/村级花名册模板.xlsx is out of date; regenerate it with "
        "`xl-pension template -o workbooks/村级花名册模板.xlsx`"
    )
