"""The demo province, in the image of the seed reports (Bình Phước, Bắc Kạn): departments,
districts with communes (three levels for 2023–2024), the 2025 merger into two levels, a
district framework of 8 fields and 87 leaves, and two years of assessments in every state,
all created through the same actions the pages use. Deterministic (fixed random seed)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cchc.assessments import services
from cchc.assessments.models import Assessment, Status
from cchc.frameworks.io import STANDARD_BANDS, save_document
from cchc.frameworks.models import Framework, Node
from cchc.frameworks.tree import build_tree
from cchc.indicators.services import set_yearly_value
from cchc.orgs.models import OrgUnit, Role, RoleAssignment, UnitType

PROVINCE = ("DEMO", "Tỉnh Bình Phước (demo)")
DEPARTMENTS = [
    "Sở Nội vụ",
    "Sở Tư pháp",
    "Sở Tài chính",
    "Sở Kế hoạch và Đầu tư",
    "Sở Xây dựng",
    "Sở Y tế",
    "Sở Giáo dục và Đào tạo",
    "Sở Nông nghiệp và Môi trường",
    "Sở Công Thương",
    "Sở Khoa học và Công nghệ",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Văn phòng UBND tỉnh",
]
DISTRICTS = {
    "Thành phố Đồng Xoài": ["Phường Tân Phú", "Phường Tân Bình", "Xã Tiến Hưng", "Xã Tân Thành"],
    "Huyện Bù Gia Mập": ["Xã Phú Văn", "Xã Đăk Ơ", "Xã Bù Gia Mập", "Xã Đức Hạnh", "Xã Phú Nghĩa"],
    "Huyện Bù Đăng": ["Thị trấn Đức Phong", "Xã Minh Hưng", "Xã Thống Nhất"],
    "Huyện Lộc Ninh": ["Thị trấn Lộc Ninh", "Xã Lộc Hiệp", "Xã Lộc Thiện", "Xã Lộc Tấn"],
    "Huyện Chơn Thành": ["Thị trấn Chơn Thành", "Xã Minh Lập", "Xã Thành Tâm"],
    "Huyện Hớn Quản": ["Thị trấn Tân Khai", "Xã Thanh An", "Xã An Khương"],
    "Thị xã Phước Long": ["Phường Long Phước", "Phường Sơn Giang", "Xã Long Giang"],
    "Huyện Đồng Phú": ["Thị trấn Tân Phú", "Xã Tân Lập", "Xã Thuận Lợi", "Xã Đồng Tâm"],
}
FIELDS = [
    (
        "Công tác chỉ đạo, điều hành cải cách hành chính",
        10,
        [
            "Ban hành kế hoạch CCHC năm đúng thời hạn",
            "Mức độ thực hiện kế hoạch CCHC",
            "Báo cáo CCHC định kỳ",
            "Kiểm tra công tác CCHC",
            "Tuyên truyền CCHC",
            "Sáng kiến, giải pháp mới trong CCHC",
            "Thực hiện nhiệm vụ cấp trên giao",
            "Khắc phục tồn tại sau kiểm tra",
            "Khảo sát sự hài lòng",
            "Ứng dụng ISO",
        ],
    ),
    (
        "Xây dựng và tổ chức thực hiện văn bản quy phạm pháp luật",
        8,
        [
            "Xây dựng kế hoạch ban hành văn bản",
            "Ban hành văn bản đúng kế hoạch",
            "Rà soát, hệ thống hóa văn bản",
            "Xử lý văn bản sau rà soát",
            "Kiểm tra việc thi hành pháp luật",
            "Xử lý sau kiểm tra",
            "Phổ biến, giáo dục pháp luật",
            "Theo dõi thi hành pháp luật",
        ],
    ),
    (
        "Cải cách thủ tục hành chính",
        14,
        [
            "Rà soát, đơn giản hóa TTHC",
            "Công khai TTHC đầy đủ, đúng quy định",
            "Công khai trên Cổng dịch vụ công",
            "Tỷ lệ hồ sơ giải quyết đúng hạn",
            "Xin lỗi khi trễ hạn",
            "Tiếp nhận, xử lý phản ánh kiến nghị",
            "Bộ phận một cửa hoạt động đúng quy định",
            "Số hóa hồ sơ, kết quả TTHC",
            "Dịch vụ công trực tuyến toàn trình",
            "Tỷ lệ hồ sơ trực tuyến",
            "Thanh toán trực tuyến",
            "Liên thông TTHC",
            "Niêm yết thông tin liên hệ",
            "Đánh giá chất lượng giải quyết TTHC",
        ],
    ),
    (
        "Cải cách tổ chức bộ máy hành chính nhà nước",
        9,
        [
            "Thực hiện quy định về cơ cấu tổ chức",
            "Vị trí việc làm",
            "Biên chế được giao",
            "Tinh giản biên chế",
            "Phân cấp quản lý",
            "Kiểm tra thực hiện phân cấp",
            "Xử lý sau kiểm tra phân cấp",
            "Quy chế làm việc",
            "Sắp xếp đơn vị sự nghiệp",
        ],
    ),
    (
        "Xây dựng và nâng cao chất lượng đội ngũ cán bộ, công chức, viên chức",
        14,
        [
            "Cơ cấu ngạch công chức",
            "Tuyển dụng công chức",
            "Tuyển dụng viên chức",
            "Bổ nhiệm lãnh đạo",
            "Đánh giá, xếp loại công chức",
            "Đào tạo, bồi dưỡng",
            "Kỷ luật, kỷ cương hành chính",
            "Chấp hành giờ làm việc",
            "Văn hóa công vụ",
            "Tiếp công dân",
            "Chuẩn hóa công chức cấp xã",
            "Bồi dưỡng công chức cấp xã",
            "Đánh giá công chức cấp xã",
            "Thi đua, khen thưởng",
        ],
    ),
    (
        "Cải cách tài chính công",
        8,
        [
            "Giao quyền tự chủ tài chính",
            "Quy chế chi tiêu nội bộ",
            "Thực hiện dự toán ngân sách",
            "Công khai ngân sách",
            "Quản lý tài sản công",
            "Thực hiện kết luận thanh tra, kiểm toán",
            "Tự chủ đơn vị sự nghiệp",
            "Xã hội hóa dịch vụ sự nghiệp công",
        ],
    ),
    (
        "Xây dựng và phát triển chính quyền điện tử, chính quyền số",
        14,
        [
            "Kế hoạch chuyển đổi số",
            "Hệ thống quản lý văn bản và điều hành",
            "Văn bản điện tử có chữ ký số",
            "Liên thông văn bản 4 cấp",
            "Sử dụng thư điện tử công vụ",
            "Cổng/Trang thông tin điện tử",
            "Cung cấp thông tin trên cổng",
            "An toàn thông tin",
            "Hội nghị trực tuyến",
            "Hệ thống thông tin báo cáo",
            "Chia sẻ dữ liệu",
            "Cơ sở dữ liệu chuyên ngành",
            "Hệ thống quản lý chất lượng",
            "Ứng dụng định danh điện tử",
        ],
    ),
    (
        "Tác động của cải cách hành chính đến người dân, tổ chức",
        10,
        [
            "Điểm điều tra xã hội học",
            "Sự hài lòng về tiếp cận dịch vụ",
            "Sự hài lòng về thủ tục hành chính",
            "Sự hài lòng về công chức",
            "Sự hài lòng về kết quả",
            "Sự hài lòng về tiếp nhận phản ánh",
            "Thu ngân sách trên địa bàn",
            "Thu hút đầu tư",
            "Giảm nghèo",
            "Trật tự an toàn xã hội",
        ],
    ),
]
FIELD_MAX = [Decimal(x) for x in ("10", "6", "14", "7", "14", "6", "15", "28")]
INDICATOR_LEAVES: dict[tuple[str, int], dict[str, Any]] = {
    ("3", 4): {
        "type": "thresholds",
        "indicator": "dossiers.on_time_rate",
        "steps": [{"min": 98, "points": "FULL"}, {"min": 95, "points": "HALF"}, {"min": 0, "points": 0}],
    },
    ("3", 10): {"type": "proportional", "indicator": "dossiers.online_rate", "full_at": 50},
    ("7", 3): {"type": "proportional", "indicator": "egov.signed_documents_rate", "full_at": 100},
    ("5", 7): {"type": "deduction", "indicator": "civil_service.violations", "per_event": 0.25},
    ("8", 1): {"type": "survey", "indicator": "surveys.sipas_index"},
}
PASSWORD = "cchc-demo-2024"
APPRAISED_DISTRICTS = ("DEMO-H01", "DEMO-H02", "DEMO-H03", "DEMO-H04")
USERS = [
    ("admin", "Quản trị hệ thống", None, None),
    ("thuongtruc", "Nguyễn Thị Thu (Sở Nội vụ)", Role.SECRETARIAT, "DEMO"),
    ("thamdinh", "Trần Văn Định (Hội đồng thẩm định)", Role.APPRAISER, "DEMO-H01"),
    ("bugiamap", "Lê Quang Minh (UBND huyện Bù Gia Mập)", Role.UNIT_OFFICER, "DEMO-H02"),
    ("dongxoai", "Phạm Thị Hoa (UBND TP Đồng Xoài)", Role.UNIT_OFFICER, "DEMO-H01"),
    ("lanhdao", "Hoàng Văn Lãnh (Lãnh đạo UBND tỉnh)", Role.LEADER, "DEMO"),
]


def framework_document(year: int) -> dict:
    nodes = []
    for f, ((name, _count, leaves), fmax) in enumerate(zip(FIELDS, FIELD_MAX, strict=True), start=1):
        per_leaf = (fmax / len(leaves)).quantize(Decimal("0.25"))
        maxima = [per_leaf] * len(leaves)
        maxima[0] += fmax - sum(maxima)
        children = []
        for i, (leaf_name, leaf_max) in enumerate(zip(leaves, maxima, strict=True), start=1):
            rule = INDICATOR_LEAVES.get((str(f), i))
            if rule:
                rule = dict(rule)
                if rule["type"] == "thresholds":
                    rule["steps"] = [
                        {
                            "min": s["min"],
                            "points": float(
                                leaf_max
                                if s["points"] == "FULL"
                                else leaf_max / 2
                                if s["points"] == "HALF"
                                else 0
                            ),
                        }
                        for s in rule["steps"]
                    ]
            elif i % 5 == 0:
                rule = {"type": "yes_no"}
            else:
                rule = {"type": "manual"}
            children.append(
                {
                    "code": f"{f}.{i}",
                    "name": leaf_name,
                    "max": float(leaf_max),
                    "rule": rule,
                    "evidence_required": rule["type"] in {"manual", "yes_no"} and i % 3 == 1,
                    "guidance": "Tài liệu kiểm chứng: văn bản, báo cáo của đơn vị." if i % 3 == 1 else "",
                }
            )
        nodes.append({"code": str(f), "name": name, "children": children})
    doc = {
        "code": f"DEMO-HUYEN-{year}",
        "name": f"Bộ chỉ số CCHC cấp huyện năm {year} (demo)",
        "year": year,
        "unit_types": ["district"],
        "source_document": "Quyết định (demo) của UBND tỉnh",
        "bands": STANDARD_BANDS,
        "nodes": nodes,
    }
    if year > 2023:
        doc["previous"] = f"DEMO-HUYEN-{year - 1}"
    return doc


def _unit(code, name, type_code, parent=None, **kw) -> OrgUnit:
    unit, _ = OrgUnit.objects.update_or_create(
        code=code,
        defaults={"name": name, "unit_type": UnitType.objects.get(code=type_code), "parent": parent, **kw},
    )
    return unit


def build_units() -> dict[str, OrgUnit]:
    units = {}
    province = _unit(*PROVINCE, "province")
    units["DEMO"] = province
    for i, name in enumerate(DEPARTMENTS, start=1):
        units[f"DEMO-S{i:02d}"] = _unit(f"DEMO-S{i:02d}", name, "department", province)
    merged_into = None
    for d, (district, communes) in enumerate(DISTRICTS.items(), start=1):
        dcode = f"DEMO-H{d:02d}"
        # Three levels until the 2025 reorganisation: districts end on 30/6/2025.
        dunit = _unit(
            dcode,
            district,
            "district",
            province,
            valid_from=dt.date(2020, 1, 1),
            valid_to=dt.date(2025, 6, 30),
        )
        units[dcode] = dunit
        for c, commune in enumerate(communes, start=1):
            ccode = f"{dcode}-X{c:02d}"
            units[ccode] = _unit(
                ccode,
                commune,
                "commune",
                dunit,
                valid_from=dt.date(2020, 1, 1),
                valid_to=dt.date(2025, 6, 30),
            )
    # The merger: the communes of Bù Gia Mập become two communes directly under the province.
    phu_van = _unit("DEMO-X-PHUVAN", "Xã Phú Văn (mới)", "commune", province, valid_from=dt.date(2025, 7, 1))
    bu_gia_map = _unit(
        "DEMO-X-BUGIAMAP", "Xã Bù Gia Mập (mới)", "commune", province, valid_from=dt.date(2025, 7, 1)
    )
    units["DEMO-X-PHUVAN"], units["DEMO-X-BUGIAMAP"] = phu_van, bu_gia_map
    for code, unit in units.items():
        if code.startswith("DEMO-H02-"):
            merged_into = phu_van if code in {"DEMO-H02-X01", "DEMO-H02-X02"} else bu_gia_map
            OrgUnit.objects.filter(pk=unit.pk).update(successor=merged_into)
    # Current communes from 1/7/2025 for the other districts keep their names, re-parented to the province.
    return units


def build_users(units) -> list[tuple[str, str, str]]:
    User = get_user_model()
    rows = []
    for username, full_name, role, unit_code in USERS:
        user, created = User.objects.get_or_create(username=username)
        first, _, last = full_name.partition(" ")
        user.first_name, user.last_name = first, last
        user.email = f"{username}@demo.cchc.vn"
        if created:
            user.set_password(PASSWORD)
        if role is None:
            user.is_staff = user.is_superuser = True
        user.save()
        if role:
            RoleAssignment.objects.get_or_create(user=user, role=role, unit=units[unit_code])
        label = role.label if role else "Quản trị hệ thống (Django admin)"
        where = units[unit_code].name if unit_code else "—"
        if username == "thamdinh":
            where = ", ".join(units[c].name for c in APPRAISED_DISTRICTS)
        rows.append((username, str(label), where))
    # The appraiser is assigned to four districts only.
    thamdinh = User.objects.get(username="thamdinh")
    for code in APPRAISED_DISTRICTS:
        RoleAssignment.objects.get_or_create(user=thamdinh, role=Role.APPRAISER, unit=units[code])
    return rows


def set_indicators(units, year: int, rng: random.Random) -> None:
    for d in range(1, len(DISTRICTS) + 1):
        unit = units[f"DEMO-H{d:02d}"]
        set_yearly_value(
            "dossiers.on_time_rate", unit, year, Decimal(str(round(rng.uniform(94, 100), 2))), source="demo"
        )
        set_yearly_value(
            "dossiers.online_rate", unit, year, Decimal(str(round(rng.uniform(20, 60), 2))), source="demo"
        )
        set_yearly_value(
            "egov.signed_documents_rate",
            unit,
            year,
            Decimal(str(round(rng.uniform(70, 100), 2))),
            source="demo",
        )
        set_yearly_value("civil_service.violations", unit, year, Decimal(rng.randint(0, 3)), source="demo")
        set_yearly_value(
            "surveys.sipas_index", unit, year, Decimal(str(round(rng.uniform(75, 95), 2))), source="demo"
        )


def score_assessment(assessment, tree, rng: random.Random, users, strength: float, appraise: bool) -> None:
    nodes = {n.pk: n for n in Node.objects.filter(framework_id=tree.framework_id)}
    for leaf in tree.leaves:
        if leaf.rule.get("type") in {"thresholds", "proportional", "deduction", "survey"}:
            continue
        node = nodes[leaf.id]
        if leaf.rule.get("type") == "yes_no":
            points = leaf.max_points if rng.random() < strength + 0.1 else Decimal(0)
        else:
            share = min(1.0, max(0.0, rng.gauss(strength, 0.15)))
            points = (leaf.max_points * Decimal(str(share)) / Decimal("0.25")).quantize(Decimal(1)) * Decimal(
                "0.25"
            )
            points = min(points, leaf.max_points)
        explanation = "Đã đính kèm báo cáo, kế hoạch của đơn vị." if leaf.evidence_required else ""
        services.set_self_score(assessment, node, score=points, explanation=explanation, reason="demo")
        if appraise and rng.random() < 0.25 and points > 0:
            lower = max(Decimal(0), points - Decimal("0.25") * rng.randint(1, 3))
            if leaf.rule.get("type") == "yes_no":
                lower = Decimal(0)
            services.set_appraised_score(
                assessment,
                node,
                score=lower,
                comment="Tài liệu kiểm chứng chưa đầy đủ; đề nghị giải trình.",
                reason="demo",
            )


STATES_2024 = [
    Status.DRAFT,
    Status.RETURNED,
    Status.PUBLISHED,
    Status.UNDER_APPRAISAL,
    Status.SUBMITTED,
    Status.FINALISED,
    Status.PUBLISHED,
    Status.UNDER_APPRAISAL,
]


def drive_to(assessment, target: str, users) -> None:
    sec, appraiser = users["thuongtruc"], users["thamdinh"]
    if target == Status.DRAFT:
        return
    services.submit(assessment, force=True, note="Nộp bản tự đánh giá")
    if target == Status.SUBMITTED:
        return
    if assessment.status == Status.SUBMITTED:
        services.start_appraisal(
            assessment, user=appraiser if assessment.unit.code in APPRAISED_DISTRICTS else sec
        )
    if target == Status.UNDER_APPRAISAL:
        return
    if target == Status.RETURNED:
        services.return_for_explanation(assessment, note="Đề nghị đơn vị giải trình các tiêu chí có ý kiến.")
        return
    services.finalise(
        assessment, user=sec, override_reason="Dữ liệu mẫu: giữ điểm tự chấm ở tiêu chí chưa thẩm định"
    )
    if target == Status.PUBLISHED:
        services.publish(assessment, user=sec)


@transaction.atomic
def load_demo_sources(units: dict[str, OrgUnit]) -> list[str]:
    """The data the scores come from, once: the one-stop-shop dossiers and the satisfaction
    surveys (through the real imports and services)."""
    from cchc.demo.dossiers import load_demo_dossiers
    from cchc.demo.surveys import load_demo_surveys
    from cchc.procedures.models import Dossier

    done = []
    if not Dossier.objects.filter(unit__code__startswith="DEMO").exists():
        info = load_demo_dossiers(units, random.Random(20250701))
        done.append(f"{info['dossiers']} hồ sơ TTHC, {info['procedures']} thủ tục")
    surveys = load_demo_surveys(units, random.Random(20240601))
    if not surveys["already_loaded"]:
        done.append(
            f"{surveys['paper_forms']} phiếu khảo sát giấy, {surveys['online_forms']} phiếu trực tuyến"
        )
    return done


ENTRY_YEAR = 2026
ENTRY_TARGETS = {  # e-government targets of the province plan (demo)
    "egov.signed_documents_rate": Decimal("90"),
    "egov.electronic_documents_rate": Decimal("80"),
    "egov.official_email_rate": Decimal("95"),
    "dossiers.digitized_rate": Decimal("100"),
}


def load_demo_entry(
    units: dict[str, OrgUnit], users, rng: random.Random, today: dt.date | None = None
) -> int:
    """The departments' e-government figures of the year so far, through the real entry
    services: every month approved but the last two (some submitted, one returned, one not
    entered), the quarters approved; the province's targets. Returns the number of sheets."""
    from cchc.indicators import entry
    from cchc.indicators.models import EntrySheet, Indicator, Target
    from cchc.indicators.periods import Period

    if EntrySheet.objects.filter(unit__code__startswith="DEMO").exists():
        return 0
    today = today or timezone.localdate()
    officer, secretariat = users["admin"], users["thuongtruc"]
    for code, value in ENTRY_TARGETS.items():
        Target.objects.update_or_create(
            indicator=Indicator.objects.get(code=code),
            unit=units["DEMO"],
            unit_type=None,
            year=ENTRY_YEAR,
            defaults={"value": value, "source_document": "Kế hoạch CCHC năm 2026 của UBND tỉnh (demo)"},
        )
    months = [Period.month(ENTRY_YEAR, m) for m in range(1, 13) if Period.month(ENTRY_YEAR, m).end < today]
    quarters = [
        Period.quarter(ENTRY_YEAR, q) for q in range(1, 5) if Period.quarter(ENTRY_YEAR, q).end < today
    ]
    departments = [units[f"DEMO-S{i:02d}"] for i in range(1, len(DEPARTMENTS) + 1)]
    sheets = 0
    for d, unit in enumerate(departments):
        skill = 0.75 + 0.2 * rng.random()
        for period in months + quarters:
            last = period == months[-1] if months else False
            if last and d == len(departments) - 1:
                continue  # one department has not entered its last month: late
            rows = []
            for indicator in entry.entry_indicators(unit, period):
                if indicator.aggregation == "ratio":
                    den = rng.randint(40, 400)
                    num = min(den, round(den * min(1.0, skill + rng.uniform(-0.08, 0.12))))
                    rows.append(entry.Row(indicator=indicator, numerator=str(num), denominator=str(den)))
                else:
                    rows.append(
                        entry.Row(indicator=indicator, value="1" if rng.random() < skill + 0.15 else "0")
                    )
            sheet = entry.save_sheet(officer, unit, period, rows)
            assert sheet is not None, [row.errors for row in rows]  # the demo's figures are valid
            sheets += 1
            if last and d % 4 == 1:
                continue  # still a draft
            entry.submit_sheet(officer, sheet)
            if last and d % 4 == 2:
                continue  # waiting for approval
            if last and d == 0:
                entry.return_sheet(secretariat, sheet, "Mẫu số văn bản đi chưa khớp sổ đăng ký văn bản.")
                continue
            entry.approve_sheet(secretariat, sheet)
    return sheets


def load_demo(reset: bool = False) -> dict:
    if reset:
        Assessment.objects.filter(unit__code__startswith="DEMO").delete()
        from cchc.assessments.models import Round

        Round.objects.filter(framework__code__startswith="DEMO-").delete()
        Framework.objects.filter(code__startswith="DEMO-").delete()
    rng = random.Random(20241231)
    units = build_units()
    logins = build_users(units)
    users = {u.username: u for u in get_user_model().objects.filter(username__in=[u[0] for u in USERS])}
    created_frameworks = 0
    for year in (2023, 2024):
        code = f"DEMO-HUYEN-{year}"
        if not Framework.objects.filter(code=code).exists():
            save_document(framework_document(year))
            created_frameworks += 1
    already = Assessment.objects.filter(round__framework__code__startswith="DEMO-HUYEN-").exists()
    if not already:
        strengths = {
            f"DEMO-H{d:02d}": s
            for d, s in enumerate([0.97, 0.95, 0.88, 0.86, 0.91, 0.84, 0.89, 0.8], start=1)
        }
        for year in (2023, 2024):
            set_indicators(units, year, rng)
            framework = Framework.objects.get(code=f"DEMO-HUYEN-{year}")
            deadline = timezone.make_aware(dt.datetime(year, 12, 10, 17, 0))
            round_obj, _ = services.open_round(
                framework, year, deadline=deadline, units=[units[f"DEMO-H{d:02d}"] for d in range(1, 9)]
            )
            tree = build_tree(framework)
            for i, assessment in enumerate(
                Assessment.objects.filter(round=round_obj)
                .select_related("unit", "round")
                .order_by("unit__code")
            ):
                target = Status.PUBLISHED if year == 2023 else STATES_2024[i]
                strength = (
                    strengths[assessment.unit.code] + (0.02 if year == 2024 else 0) + rng.uniform(-0.04, 0.04)
                )
                score_assessment(
                    assessment,
                    tree,
                    rng,
                    users,
                    strength,
                    appraise=target not in {Status.DRAFT, Status.SUBMITTED},
                )
                drive_to(assessment, target, users)
    extras = load_demo_sources(units)
    sheets = load_demo_entry(units, users, random.Random(20260101))
    if sheets:
        extras.append(f"{sheets} phiếu nhập số liệu chính quyền điện tử")
    from cchc.demo.plans import load_demo_plans

    tasks = load_demo_plans(units, users, random.Random(20250113), timezone.localdate())
    if tasks:
        extras.append(f"{tasks} nhiệm vụ của kế hoạch CCHC")
    return {
        "logins": logins,
        "extras": extras,
        "frameworks_created": created_frameworks,
        "already_loaded": already,
        "password": PASSWORD,
    }
