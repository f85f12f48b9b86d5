"""The unit picker: /units/search/ over ~3,300 communes, scoped, accent-insensitive."""

from __future__ import annotations

import time

import pytest
from django.template import Context, Template

from cchc.orgs.models import OrgUnit, UnitType
from tests.factories import make_user

pytestmark = pytest.mark.django_db

SYLLABLES = ["An", "Bình", "Đông", "Hòa", "Phú", "Tân", "Thạnh", "Long", "Mỹ", "Xuân", "Đức", "Hưng"]


@pytest.fixture
def country(province):
    """About 3,300 generated communes under 33 extra provinces, plus the shared test province."""
    ptype, ctype = UnitType.objects.get(code="province"), UnitType.objects.get(code="commune")
    for i in range(33):
        p = OrgUnit.objects.create(code=f"GP{i:02d}", name=f"Tỉnh Sinh {i:02d}", unit_type=ptype)
        rows = [
            OrgUnit(
                code=f"GW{i:02d}{j:03d}",
                name=f"Xã {SYLLABLES[j % 12]} {SYLLABLES[(j // 12) % 12]} {j}",
                unit_type=ctype,
                parent=p,
                depth=1,
            )
            for j in range(100)
        ]
        OrgUnit.objects.bulk_create(rows)
        for unit in OrgUnit.objects.filter(parent=p):
            OrgUnit.objects.filter(pk=unit.pk).update(path=f"{p.path}{unit.pk}/")
    assert OrgUnit.objects.filter(unit_type=ctype).count() >= 3300
    return province


def test_search_is_fast_and_accent_insensitive(client, country):
    admin = make_user("root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    started = time.perf_counter()
    r = client.get("/units/search/", {"q": "dong hoa", "format": "json"})
    elapsed = time.perf_counter() - started
    assert r.status_code == 200
    results = r.json()["results"]
    assert 0 < len(results) <= 20
    assert all("Đông" in u["name"] and "Hòa" in u["name"] for u in results)
    print(f"picker search over {OrgUnit.objects.count()} units: {elapsed * 1000:.0f} ms")
    # By code, exact match first.
    r = client.get("/units/search/", {"q": "gw05007", "format": "json"})
    assert [u["code"] for u in r.json()["results"]] == ["GW05007"]
    # The type filter.
    r = client.get("/units/search/", {"q": "tinh sinh", "type": "province", "format": "json"})
    assert len(r.json()["results"]) == 20 and {u["type"] for u in r.json()["results"]} == {"province"}
    r = client.get("/units/search/", {"q": "tinh sinh", "type": "commune", "format": "json"})
    assert r.json()["results"] == []


def test_results_are_scoped(client, country, people):
    client.force_login(people.officer_a)
    r = client.get("/units/search/", {"q": "xa", "format": "json"})
    assert r.json()["results"] == []  # an officer sees its own unit only
    r = client.get("/units/search/", {"q": "huyen", "format": "json"})
    assert [u["code"] for u in r.json()["results"]] == ["A"]
    client.force_login(people.sec)
    codes = {u["code"] for u in client.get("/units/search/", {"q": "xa", "format": "json"}).json()["results"]}
    assert codes == {"A1", "B1"}  # the province's communes, none of the generated ones
    client.force_login(people.outsider)
    assert client.get("/units/search/", {"q": "huyen", "format": "json"}).json()["results"] == []


def test_html_fragment_and_login_required(client, country, people):
    r = client.get("/units/search/", {"q": "an"})
    assert r.status_code == 302 and "/login/" in r["Location"]
    client.force_login(people.sec)
    r = client.get("/units/search/", {"unit_q": "an mot", "target": "unit"}, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200 and "<html" not in html
    a1 = OrgUnit.objects.get(code="A1")
    assert f'data-id="{a1.pk}"' in html and 'data-picker-target="unit"' in html and "Xã An Một" in html
    r = client.get("/units/search/", {"q": "zzz"})
    assert "Không tìm thấy đơn vị phù hợp." in r.content.decode()


def test_picker_include(db):
    html = Template('{% include "orgs/picker.html" with name="unit" type="commune" %}').render(Context({}))
    assert 'hx-get="/units/search/"' in html
    assert 'hx-trigger="input changed delay:250ms, search"' in html
    assert '<input type="hidden" name="unit" value="">' in html
    assert '"type": "commune"' in html and 'id="picker-unit-results"' in html
