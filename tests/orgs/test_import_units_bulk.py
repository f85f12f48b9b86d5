"""A country-sized CSV (34 provinces, 3,300 communes) imports in reasonable time with correct paths."""

from __future__ import annotations

import time

import pytest

from cchc.cli import main
from cchc.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db


def test_country_sized_file(tmp_path, capsys):
    lines = ["code,name,type,parent_code,valid_from,valid_to,successor_code"]
    for p in range(34):
        lines.append(f"P{p:02d},Tỉnh {p:02d},province,,2025-07-01,,")
        lines += [f"W{p:02d}{c:03d},Xã {c},commune,P{p:02d},2025-07-01,," for c in range(97)]
    path = tmp_path / "country.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    started = time.perf_counter()
    main(["cchc", "import-units", str(path)])
    first = time.perf_counter() - started
    assert "3332 rows: 3332 created, 0 updated" in capsys.readouterr().out
    started = time.perf_counter()
    main(["cchc", "import-units", str(path)])
    again = time.perf_counter() - started
    assert "3332 rows: 0 created, 0 updated" in capsys.readouterr().out
    p07 = OrgUnit.objects.get(code="P07")
    assert OrgUnit.objects.subtree_of(p07).count() == 98
    assert OrgUnit.objects.filter(depth=1).count() == 3298
    print(f"import-units 3,332 rows: {first:.2f} s, re-import {again:.2f} s")
