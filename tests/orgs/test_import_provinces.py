"""``cchc import-provinces`` from the vietnam-provinces package."""

from __future__ import annotations

import time

import pytest
from vietnam_provinces import Province, Ward

from cchc.cli import main
from cchc.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db


def cli(*args):
    try:
        main(["cchc", "import-provinces", *args])
    except SystemExit as exc:
        return exc.code
    return 0


def test_one_province_by_code_loads_all_its_wards(capsys):
    assert cli("--province", "01") == 0
    expected = {f"W{int(w.code):05d}": w.name for w in Ward.iter_by_province(1)}
    hanoi = OrgUnit.objects.get(code="P01")
    assert hanoi.unit_type.code == "province" and str(hanoi.valid_from) == "2025-07-01"
    wards = OrgUnit.objects.subtree_of(hanoi).exclude(pk=hanoi.pk)
    assert wards.count() == len(expected) > 100
    assert dict(wards.values_list("code", "name")) == expected
    assert set(wards.values_list("unit_type__code", flat=True)) == {"commune"}
    for ward in wards[:20]:
        assert ward.path == f"{hanoi.path}{ward.pk}/" and ward.depth == 1
    assert f"{len(expected) + 1} units created" in capsys.readouterr().out


def test_by_name_and_idempotent(capsys):
    name = next(p for p in Province.iter_all() if int(p.code) == 79).name  # Hồ Chí Minh
    assert cli("--province", name) == 0
    count = OrgUnit.objects.count()
    assert cli("--province", "P79") == 0
    assert OrgUnit.objects.count() == count
    assert "0 units created" in capsys.readouterr().out


def test_unknown_province_fails(capsys):
    assert cli("--province", "Atlantis") != 0
    assert "no province matches 'Atlantis'" in capsys.readouterr().err
    assert not OrgUnit.objects.exists()


def test_all_provinces_in_reasonable_time(capsys):
    started = time.perf_counter()
    assert cli("--all") == 0
    elapsed = time.perf_counter() - started
    assert OrgUnit.objects.filter(unit_type__code="province").count() == 34
    assert OrgUnit.objects.filter(unit_type__code="commune").count() == 3321
    print(f"import-provinces --all: {elapsed:.2f} s")
