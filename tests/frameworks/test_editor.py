"""The framework editor, driven through its pages with the Django test client."""

import html
from decimal import Decimal

import pytest
import yaml
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from cchc.assessments.models import Assessment, Score
from cchc.assessments.services import set_self_score
from cchc.frameworks.models import Band, Framework, Node
from cchc.frameworks.tree import build_tree
from cchc.indicators.models import Indicator


def node(framework, code):
    return Node.objects.get(framework=framework, code=code)


def edit_url(framework, code):
    return reverse("frameworks:node_edit", args=[framework.code, node(framework, code).pk])


LEAF_POST = {
    "name": "Kế hoạch CCHC năm",
    "guidance": "",
    "max_points": "2",
    "responsible_unit": "",
    "rule_type": "manual",
    "indicator": "",
    "step": "",
    "steps": "",
    "full_at": "",
    "per_event": "",
}


@pytest.fixture
def sec_client(client, people):
    client.force_login(people.sec)
    return client


@pytest.fixture
def scored(opened_round, province, framework, people):
    """The framework with one self score: its structure is frozen."""
    assessment = Assessment.objects.get(round=opened_round, unit=province.A)
    set_self_score(assessment, node(framework, "1.2"), user=people.officer_a, score=Decimal("1"))
    return framework


def test_secretariat_edits_a_leaf_name_guidance_max_and_rule(sec_client, framework, province):
    data = {
        **LEAF_POST,
        "name": "Kế hoạch CCHC năm (sửa)",
        "guidance": "Ban hành trước 31/12",
        "max_points": "2,5",
        "evidence_required": "on",
        "responsible_unit": "D1",
        "rule_type": "thresholds",
        "indicator": "dossiers.on_time_rate",
        "steps": "98: 2,5\n95: 1\n0: 0",
    }
    response = sec_client.post(edit_url(framework, "1.1"), data)
    assert response.status_code == 302
    leaf = node(framework, "1.1")
    assert leaf.name == "Kế hoạch CCHC năm (sửa)" and leaf.guidance == "Ban hành trước 31/12"
    assert leaf.max_points == Decimal("2.5") and leaf.evidence_required
    assert leaf.responsible_unit.code == "D1"
    assert leaf.rule == {
        "type": "thresholds",
        "indicator": "dossiers.on_time_rate",
        "steps": [{"min": 98, "points": 2.5}, {"min": 95, "points": 1}, {"min": 0, "points": 0}],
    }
    assert Indicator.objects.filter(code="dossiers.on_time_rate").exists()
    # The parent's maximum is still the sum of its children.
    assert build_tree(framework).by_id[node(framework, "1").pk].max_points == Decimal("3.5")
    assert LogEntry.objects.filter(object_id=str(leaf.pk)).exists()
    page = sec_client.get(reverse("frameworks:detail", args=[framework.code])).content.decode()
    assert "Kế hoạch CCHC năm (sửa)" in page and "dossiers.on_time_rate" in page


def test_an_invalid_rule_is_refused_with_the_import_validation_message(sec_client, framework):
    data = {**LEAF_POST, "rule_type": "thresholds", "indicator": "x.rate", "steps": "50: 1\n90: 2"}
    response = sec_client.post(edit_url(framework, "1.1"), data)
    assert response.status_code == 422
    assert "các bậc ngưỡng phải xếp từ min cao nhất đến thấp nhất" in response.content.decode()
    assert node(framework, "1.1").rule == {"type": "manual"}


def test_points_above_the_maximum_and_a_badly_typed_step_line_are_refused(sec_client, framework):
    response = sec_client.post(
        edit_url(framework, "1.1"),
        {**LEAF_POST, "rule_type": "thresholds", "indicator": "x.rate", "steps": "98: 9"},
    )
    assert response.status_code == 422
    assert "điểm của các bậc ngưỡng phải từ 0 đến điểm tối đa" in response.content.decode()
    response = sec_client.post(
        edit_url(framework, "1.1"),
        {**LEAF_POST, "rule_type": "thresholds", "indicator": "x.rate", "steps": "98 hai điểm"},
    )
    assert response.status_code == 422 and "Dòng 1" in response.content.decode()
    assert node(framework, "1.1").rule == {"type": "manual"}


def test_an_unknown_responsible_unit_is_refused(sec_client, framework):
    response = sec_client.post(edit_url(framework, "1.1"), {**LEAF_POST, "responsible_unit": "NOPE"})
    assert response.status_code == 422
    assert "không có đơn vị 'NOPE'" in html.unescape(response.content.decode())


def test_a_group_maximum_can_be_set_and_cleared_back_to_the_sum(sec_client, framework):
    url = edit_url(framework, "2")
    base = {"name": "Cải cách thủ tục hành chính", "guidance": "", "responsible_unit": ""}
    assert sec_client.post(url, {**base, "max_points": "6"}).status_code == 302
    assert node(framework, "2").max_points == Decimal("6")
    assert sec_client.post(url, {**base, "max_points": ""}).status_code == 302
    assert node(framework, "2").max_points is None
    assert build_tree(framework).by_id[node(framework, "2").pk].max_points == Decimal("7")


def test_add_a_child_to_a_leaf_turns_it_into_a_group(sec_client, framework):
    parent = node(framework, "1.2")
    url = reverse("frameworks:node_add", args=[framework.code]) + f"?parent={parent.pk}"
    assert sec_client.get(url).status_code == 200
    response = sec_client.post(
        url, {**LEAF_POST, "code": "1.2.1", "name": "Báo cáo quý", "max_points": "0,5", "parent": parent.pk}
    )
    assert response.status_code == 302
    parent.refresh_from_db()
    child = node(framework, "1.2.1")
    assert child.parent_id == parent.pk and child.max_points == Decimal("0.5")
    assert parent.rule == {} and parent.max_points is None
    tree = build_tree(framework)
    assert [n.code for n in tree.walk()] == ["1", "1.1", "1.2", "1.2.1", "2", "2.1", "2.2"]
    assert tree.by_id[parent.pk].max_points == Decimal("0.5")


def test_add_a_new_field_and_a_duplicate_code_is_refused(sec_client, framework):
    url = reverse("frameworks:node_add", args=[framework.code])
    response = sec_client.post(url, {**LEAF_POST, "code": "3", "name": "Lĩnh vực mới", "max_points": "1"})
    assert response.status_code == 302
    assert [n.code for n in build_tree(framework).walk()][-1] == "3"
    response = sec_client.post(url, {**LEAF_POST, "code": "2.1", "name": "Trùng", "max_points": "1"})
    assert response.status_code == 422 and "code: trùng" in response.content.decode()
    assert Node.objects.filter(framework=framework, code="2.1").count() == 1


def test_delete_a_leaf_and_the_last_child_leaves_a_scored_leaf(sec_client, framework):
    sec_client.post(reverse("frameworks:node_delete", args=[framework.code, node(framework, "2.2").pk]))
    assert not Node.objects.filter(framework=framework, code="2.2").exists()
    sec_client.post(reverse("frameworks:node_delete", args=[framework.code, node(framework, "2.1").pk]))
    field = node(framework, "2")
    assert field.max_points == Decimal("3") and field.rule == {"type": "manual"}
    # A group cannot be deleted.
    response = sec_client.post(
        reverse("frameworks:node_delete", args=[framework.code, node(framework, "1").pk])
    )
    assert response.status_code == 302 and Node.objects.filter(framework=framework, code="1").exists()


def test_structural_edits_are_refused_once_the_framework_has_scores(sec_client, scored):
    framework = scored
    detail = sec_client.get(reverse("frameworks:detail", args=[framework.code])).content.decode()
    assert "Bộ chỉ số đã có điểm chấm" in detail and "Thêm con" not in detail
    # Text fields still change; the disabled maximum and rule are ignored.
    response = sec_client.post(
        edit_url(framework, "1.2"),
        {**LEAF_POST, "name": "Báo cáo CCHC định kỳ", "max_points": "9", "rule_type": "yes_no"},
    )
    assert response.status_code == 302
    leaf = node(framework, "1.2")
    assert leaf.name == "Báo cáo CCHC định kỳ" and leaf.max_points == Decimal("1")
    assert leaf.rule == {"type": "manual"}
    # Adding and deleting nodes are refused.
    add = reverse("frameworks:node_add", args=[framework.code])
    assert sec_client.post(add, {**LEAF_POST, "code": "9", "max_points": "1"}).status_code == 403
    response = sec_client.post(reverse("frameworks:node_delete", args=[framework.code, leaf.pk]), follow=True)
    assert "Bộ chỉ số đã có điểm chấm" in response.content.decode()
    assert Node.objects.filter(framework=framework).count() == 6


def test_the_service_refuses_a_structural_change_on_a_scored_framework(scored, people):
    from django.core.exceptions import ValidationError

    from cchc.frameworks.services import update_node

    with pytest.raises(ValidationError):
        update_node(node(scored, "1.1"), user=people.sec, max_points=Decimal("5"))
    assert node(scored, "1.1").max_points == Decimal("2")


def band_post(rows):
    data = {
        "bands-TOTAL_FORMS": str(len(rows)),
        "bands-INITIAL_FORMS": "0",
        "bands-MIN_NUM_FORMS": "0",
        "bands-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"bands-{i}-{key}"] = value
    return data


def test_bands_are_edited_sorted_and_validated(sec_client, framework):
    url = reverse("frameworks:bands", args=[framework.code])
    page = sec_client.get(url).content.decode()
    assert 'value="xuat_sac"' in page
    rows = [
        {"code": "dat", "name": "Đạt", "min": "50", "min_field_ratio": "", "color": "#0369a1"},
        {"code": "tot", "name": "Tốt", "min": "85,5", "min_field_ratio": "0,6", "color": "#15803D"},
        {"code": "chua_dat", "name": "Chưa đạt", "min": "0", "min_field_ratio": "", "color": "#b91c1c"},
    ]
    assert sec_client.post(url, band_post(rows)).status_code == 302
    bands = list(Band.objects.filter(framework=framework).order_by("order"))
    assert [(b.code, b.min_index, b.min_field_ratio, b.color) for b in bands] == [
        ("tot", Decimal("85.5"), Decimal("0.6"), "#15803d"),
        ("dat", Decimal("50"), None, "#0369a1"),
        ("chua_dat", Decimal("0"), None, "#b91c1c"),
    ]
    bad = [
        {"code": "a", "name": "A", "min": "120", "min_field_ratio": "", "color": "#000000"},
        {"code": "b", "name": "B", "min": "10", "min_field_ratio": "2", "color": "#000000"},
    ]
    response = sec_client.post(url, band_post(bad))
    assert response.status_code == 422
    body = response.content.decode()
    assert "phải nằm trong khoảng 0–100" in body and "min_field_ratio: một tỷ lệ từ 0 đến 1" in body
    duplicate = [dict(rows[0]), dict(rows[0], min="10")]
    assert sec_client.post(url, band_post(duplicate)).status_code == 422
    assert Band.objects.filter(framework=framework).count() == 3


def test_bands_of_a_scored_framework_keep_their_thresholds(sec_client, scored):
    url = reverse("frameworks:bands", args=[scored.code])
    rows = [
        {"code": b.code, "name": b.name, "min": str(b.min_index), "min_field_ratio": "", "color": b.color}
        for b in scored.bands.order_by("-min_index")
    ]
    rows[0]["name"] = "Xuất sắc (A)"
    assert sec_client.post(url, band_post(rows)).status_code == 302
    assert scored.bands.get(code="xuat_sac").name == "Xuất sắc (A)"
    rows[0]["min"] = "95"
    response = sec_client.post(url, band_post(rows))
    assert response.status_code == 422
    assert scored.bands.get(code="xuat_sac").min_index == Decimal("90")


def test_copy_a_scored_framework_to_next_year_and_edit_the_copy(sec_client, scored):
    url = reverse("frameworks:copy", args=[scored.code])
    form = sec_client.get(url).content.decode()
    assert 'value="2022"' in form
    response = sec_client.post(
        url, {"code": "BP-HUYEN-2022", "year": "2022", "name": "Bộ chỉ số 2022", "link_previous": "on"}
    )
    assert response.status_code == 302
    copy = Framework.objects.get(code="BP-HUYEN-2022")
    assert copy.year == 2022 and copy.previous == scored
    assert list(copy.unit_types.values_list("code", flat=True)) == ["district"]
    assert [n.code for n in build_tree(copy).walk()] == [n.code for n in build_tree(scored).walk()]
    assert copy.bands.count() == 5
    # The copy has no scores: its structure is editable.
    response = sec_client.post(edit_url(copy, "1.1"), {**LEAF_POST, "max_points": "3"})
    assert response.status_code == 302 and node(copy, "1.1").max_points == Decimal("3")
    assert node(scored, "1.1").max_points == Decimal("2")
    # A code in use is refused, nothing replaced.
    response = sec_client.post(url, {"code": "BP-HUYEN-2022", "year": "2023", "name": "X"})
    assert response.status_code == 422 and Framework.objects.get(code="BP-HUYEN-2022").year == 2022


@pytest.fixture
def shipped(settings, tmp_path):
    folder = tmp_path / "frameworks"
    settings.CCHC_SHIPPED_FRAMEWORKS_DIR = str(folder)
    return folder


def test_the_list_handles_a_missing_shipped_folder(sec_client, shipped):
    page = sec_client.get(reverse("frameworks:list")).content.decode()
    assert "Chưa có bộ chỉ số nào đi kèm." in page


def test_a_shipped_framework_is_listed_and_imported_once(sec_client, shipped):
    shipped.mkdir()
    doc = {
        "code": "TW-TINH-2025",
        "name": "Chỉ số CCHC cấp tỉnh 2025",
        "year": 2025,
        "unit_types": ["province"],
        "bands": [{"code": "tot", "name": "Tốt", "min": 80}, {"code": "yeu", "name": "Yếu", "min": 0}],
        "nodes": [
            {"code": "1", "name": "Chỉ đạo", "children": [{"code": "1.1", "name": "Kế hoạch", "max": 2}]}
        ],
    }
    (shipped / "tw-tinh-2025.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    (shipped / "hong.yaml").write_text("code: [unclosed", encoding="utf-8")
    page = sec_client.get(reverse("frameworks:list")).content.decode()
    assert "tw-tinh-2025.yaml" in page and "Nhập bộ chỉ số này" in page and "hong.yaml" in page
    url = reverse("frameworks:import_shipped")
    response = sec_client.post(url, {"file": "tw-tinh-2025.yaml"})
    assert response.status_code == 302
    assert Framework.objects.get(code="TW-TINH-2025").nodes.count() == 2
    page = sec_client.get(reverse("frameworks:list")).content.decode()
    assert "Đã nhập" in page
    assert sec_client.post(url, {"file": "tw-tinh-2025.yaml"}).status_code == 422
    assert sec_client.post(url, {"file": "../../settings.py"}).status_code == 422
    response = sec_client.post(url, {"file": "hong.yaml"})
    assert response.status_code == 422 and "không phải YAML hợp lệ" in response.content.decode()


EDITOR_PAGES = ["detail", "node_edit", "node_add", "bands", "copy"]


@pytest.mark.parametrize("persona", ["boss", "appraiser", "officer_a", "outsider"])
def test_only_the_secretariat_reaches_the_editor(client, people, framework, persona):
    client.force_login(getattr(people, persona))
    leaf = node(framework, "1.1")
    urls = [
        reverse("frameworks:detail", args=[framework.code]),
        reverse("frameworks:node_edit", args=[framework.code, leaf.pk]),
        reverse("frameworks:node_add", args=[framework.code]),
        reverse("frameworks:bands", args=[framework.code]),
        reverse("frameworks:copy", args=[framework.code]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403
        assert client.post(url, {**LEAF_POST, "code": "X", "year": "2030", "name": "X"}).status_code == 403
    assert client.post(reverse("frameworks:node_delete", args=[framework.code, leaf.pk])).status_code == 403
    assert client.post(reverse("frameworks:import_shipped"), {"file": "x.yaml"}).status_code == 403
    assert Node.objects.filter(framework=framework).count() == 6
    assert node(framework, "1.1").name == "Kế hoạch CCHC năm"
    assert Framework.objects.count() == 1


def test_a_node_of_another_framework_is_not_found(sec_client, framework):
    other = Framework.objects.create(code="KHAC", name="Khác", year=2021)
    url = reverse("frameworks:node_edit", args=[other.code, node(framework, "1.1").pk])
    assert sec_client.get(url).status_code == 404
    add = reverse("frameworks:node_add", args=[framework.code]) + "?parent=abc"
    assert sec_client.get(add).status_code == 404


def test_no_score_is_touched_by_text_edits(sec_client, scored):
    before = list(Score.objects.values_list("node_id", "self_score"))
    sec_client.post(edit_url(scored, "1.2"), {**LEAF_POST, "name": "Báo cáo", "guidance": "Gửi đúng hạn"})
    assert list(Score.objects.values_list("node_id", "self_score")) == before


# --- bad input: a clear error, nothing saved, no server error -------------------------------------


@pytest.mark.parametrize("code", ["BP/2022", "BP 2022", "BP\r\nX-Evil: 1", "X" * 61])
def test_a_copy_under_a_code_unfit_for_urls_and_file_names_is_refused(sec_client, framework, code):
    url = reverse("frameworks:copy", args=[framework.code])
    response = sec_client.post(url, {"code": code, "year": "2022", "name": "Bản sao"})
    assert response.status_code == 422
    assert Framework.objects.count() == 1
    assert sec_client.get(reverse("frameworks:list")).status_code == 200


@pytest.mark.parametrize(
    ("typed", "reason"), [("1e5", "tối đa 99999.99"), ("100000", "tối đa"), ("1,234", "2 chữ số thập phân")]
)
def test_a_maximum_out_of_range_or_too_precise_is_refused(sec_client, framework, typed, reason):
    response = sec_client.post(edit_url(framework, "1.1"), {**LEAF_POST, "max_points": typed})
    assert response.status_code == 422
    assert reason in html.unescape(response.content.decode())
    assert node(framework, "1.1").max_points == Decimal("2")


def test_an_uploaded_framework_with_a_bad_code_or_a_huge_maximum_changes_nothing(sec_client, db, tmp_path):
    doc = {
        "code": "A/B",
        "name": "Thử",
        "year": 2022,
        "unit_types": ["district"],
        "nodes": [
            {"code": "1", "name": "Lĩnh vực", "children": [{"code": "1 1", "name": "x", "max": 100000}]}
        ],
    }
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with path.open("rb") as fh:
        response = sec_client.post(reverse("frameworks:list"), {"file": fh})
    text = html.unescape(response.content.decode())
    assert response.status_code == 422
    assert "code: chỉ gồm chữ cái, chữ số" in text
    assert "nodes[0].children[0] (code 1 1), code: chỉ gồm chữ cái" in text
    assert "max: tối đa 99999.99" in text
    assert not Framework.objects.exists()


def test_a_band_colour_or_threshold_with_too_many_decimals_is_refused(sec_client, framework):
    bands = list(framework.bands.order_by("-min_index"))
    data = {"bands-TOTAL_FORMS": str(len(bands)), "bands-INITIAL_FORMS": str(len(bands))}
    for i, b in enumerate(bands):
        data |= {
            f"bands-{i}-code": b.code,
            f"bands-{i}-name": b.name,
            f"bands-{i}-min": str(b.min_index).replace(".", ","),
            f"bands-{i}-color": b.color,
        }
    url = reverse("frameworks:bands", args=[framework.code])
    response = sec_client.post(url, {**data, "bands-0-min": "99,999"})
    assert response.status_code == 422
    assert "min: tối đa 2 chữ số thập phân" in html.unescape(response.content.decode())
    response = sec_client.post(url, {**data, "bands-1-color": "red;}"})
    assert response.status_code == 422
    assert list(framework.bands.order_by("-min_index").values_list("min_index", "color")) == [
        (b.min_index, b.color) for b in bands
    ]
