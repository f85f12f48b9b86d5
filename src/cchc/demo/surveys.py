"""Demo surveys for the demo province (``cchc.demo.province``), created through the real services:

- the shipped questionnaires (SIPAS service satisfaction, PAR sociological survey), imported
  like ``cchc import-questionnaire`` does;
- the SIPAS campaign of 2024 (closed; departments, districts and communes of the three-level
  organisation, as in the demo assessments) filled from paper forms through the paper-form import, with a few
  forms excluded by quality control;
- the SIPAS campaign of this year (open; departments and the communes valid today), answered
  online, at the one-stop kiosks and by invitation through ``submit_response``;
- the published national indices of the province (PAPI, SIPAS, PAR Index) through the CSV import
  — illustrative figures for a demo province, marked as such in their source.

Deterministic for a given ``rng``; re-running creates nothing twice (campaigns and published
indices are looked up first).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import tempfile
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cchc.orgs.models import OrgUnit
from cchc.surveys import services
from cchc.surveys.importers import import_responses, template_columns
from cchc.surveys.indicators import refresh_indicators
from cchc.surveys.io import import_file, shipped_path
from cchc.surveys.models import (
    Campaign,
    CampaignStatus,
    Questionnaire,
    QuestionType,
    Response,
    ResponseChannel,
)
from cchc.surveys.papi import PAPI_DIMENSIONS, import_published_indices, set_target

SIPAS = "SIPAS-DV"
# The paper campaign is the last year of the three-level organisation, like the demo assessments.
PAST_YEAR = 2024
COMMENTS = [
    "Cán bộ một cửa hướng dẫn tận tình, dễ hiểu.",
    "Nơi ngồi chờ còn chật vào giờ cao điểm.",
    "Nên có thêm máy lấy số thứ tự tự động.",
    "Thủ tục nhanh hơn năm trước, cảm ơn.",
    "Phí chuyển phát kết quả còn cao.",
    "Trang dịch vụ công trực tuyến đôi khi bị lỗi khi tải hồ sơ lên.",
    "Giải quyết đúng hẹn, thái độ lịch sự.",
    "Cần niêm yết rõ hơn mức phí, lệ phí.",
]
EXCLUSION_REASON = "Phiếu điền trùng số, nét chữ giống phiếu trước (kiểm tra chất lượng)"
# Illustrative published figures for the demo province (not the real province's results).
PUBLISHED_SOURCE = "Số liệu minh họa cho tỉnh demo"


def _questionnaire(name: str) -> Questionnaire:
    questionnaire, _outcome = import_file(shipped_path(name))
    return questionnaire


def _answers(questions, rng: random.Random, satisfied: float, comment_rate: float) -> dict[str, object]:
    """One respondent: scale answers 4–5 with probability ``satisfied``, 1–3 otherwise, some
    "không áp dụng"; a channel, visits, priorities and now and then a comment."""
    answers: dict[str, object] = {}
    # A third of respondents never gave feedback: the feedback criteria do not apply to them.
    no_feedback = rng.random() < 0.33
    for q in questions:
        if q.type == QuestionType.SCALE5:
            if (no_feedback and q.aspect == "gop_y") or rng.random() < 0.03:
                answers[q.code] = "na"
            elif rng.random() < satisfied:
                answers[q.code] = rng.choice([4, 4, 5, 5, 5]) if satisfied > 0.9 else rng.choice([4, 4, 4, 5])
            else:
                answers[q.code] = rng.choice([1, 2, 3, 3, 3])
        elif q.code == "KENH":
            answers[q.code] = rng.choices(["truc_tiep", "buu_chinh", "truc_tuyen"], [6, 1, 3])[0]
        elif q.code == "SO_LAN":
            if answers.get("KENH") != "truc_tuyen":
                answers[q.code] = rng.choices([1, 2, 3], [7, 2, 1])[0]
        elif q.type == QuestionType.MULTI:
            answers[q.code] = rng.sample(q.option_codes(), rng.randint(1, 3))
        elif q.type == QuestionType.TEXT and rng.random() < comment_rate:
            answers[q.code] = rng.choice(COMMENTS)
    return answers


def _cell(value) -> str:
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


def _paper_campaign(
    questionnaire, year: int, units: list[OrgUnit], rng: random.Random, quality: dict
) -> dict:
    """Last year's campaign from paper forms: one CSV through the paper-form import."""
    questions = list(questionnaire.questions.order_by("order", "pk"))
    columns = template_columns(questionnaire)
    rows = []
    n = 0
    for unit in units:
        per_unit = {"department": 8, "district": 10, "commune": 4}.get(unit.unit_type.code, 4)
        for _i in range(per_unit):
            n += 1
            answers = _answers(questions, rng, quality[unit.code], 0.25)
            day = dt.date(year, rng.randint(3, 11), rng.randint(1, 28))
            row = {"form_no": f"{year}-{n:04d}", "unit_code": unit.code, "submitted_at": day.isoformat()}
            row.update({code: _cell(v) for code, v in answers.items()})
            rows.append(row)
    with tempfile.TemporaryDirectory(prefix="cchc-demo-surveys-") as tmp:
        path = Path(tmp) / f"phieu-sipas-{year}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
        stats = import_responses(path, questionnaire.code, year)
    campaign = Campaign.objects.get(questionnaire=questionnaire, period=year)
    per_unit_target = {u.pk: {"department": 8, "district": 10}.get(u.unit_type.code, 4) for u in units}
    services.create_campaign(questionnaire, year, units, per_unit_target)
    Campaign.objects.filter(pk=campaign.pk).update(
        name=f"Khảo sát sự hài lòng (SIPAS) năm {year}", status=CampaignStatus.CLOSED
    )
    return stats


def _online_campaign(
    questionnaire, year: int, units: list[OrgUnit], rng: random.Random, quality: dict, now: dt.datetime
) -> int:
    """This year's open campaign, answered through the same service as the public pages."""
    campaign = services.create_campaign(
        questionnaire,
        year,
        units,
        {u.pk: 30 if u.unit_type.code == "department" else 40 for u in units},
        [ResponseChannel.WEB, ResponseChannel.KIOSK, ResponseChannel.INVITATION, ResponseChannel.PAPER],
        name=f"Khảo sát sự hài lòng (SIPAS) năm {year}",
    )
    questions = list(questionnaire.questions.order_by("order", "pk"))
    created = 0
    start = max(now - dt.timedelta(days=60), timezone.make_aware(dt.datetime(year, 1, 2, 8, 0)))
    span = max(1, int((now - start).total_seconds()))
    for cu in campaign.campaign_units.select_related("unit", "unit__unit_type"):
        count = rng.randint(6, 14) if cu.unit.unit_type.code == "department" else rng.randint(15, 35)
        invitations = services.create_invitations(cu, 3)
        for i in range(count):
            channel = rng.choices([ResponseChannel.WEB, ResponseChannel.KIOSK], [2, 3])[0]
            invitation = invitations[i] if i < len(invitations) else None
            services.submit_response(
                cu,
                _answers(questions, rng, quality[cu.unit.code], 0.2),
                channel=ResponseChannel.INVITATION if invitation else channel,
                invitation=invitation,
                client_token=f"demo-{year}-{cu.pk}-{i}",
                submitted_at=start + dt.timedelta(seconds=rng.randrange(span)),
                duration_seconds=rng.randint(90, 600),
            )
            created += 1
    refresh_indicators(campaign)
    return created


def _published(province: OrgUnit, years: range, rng: random.Random) -> dict:
    rows = []
    for k, year in enumerate(years):
        sipas = 80.5 + 1.1 * k + rng.uniform(-0.4, 0.4)
        par_index = 84.0 + 0.9 * k + rng.uniform(-0.5, 0.5)
        rows.append([province.code, year, "sipas", "", f"{sipas:.2f}", "", "", ""])
        rows.append([province.code, year, "par_index", "", f"{par_index:.2f}", str(30 - 3 * k), "63", ""])
        dims = []
        for d, code in enumerate(PAPI_DIMENSIONS):
            value = round(4.8 + (0.35 * d) % 2.4 + 0.12 * k + rng.uniform(-0.15, 0.15), 2)
            dims.append(value)
            rows.append([province.code, year, "papi_dimension", code, f"{value:.2f}", "", "", ""])
        rows.append([province.code, year, "papi_total", "", f"{sum(dims):.2f}", "", "", ""])
    for row in rows:
        row[7] = PUBLISHED_SOURCE
    with tempfile.TemporaryDirectory(prefix="cchc-demo-published-") as tmp:
        path = Path(tmp) / "chi-so-cong-bo.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["unit_code", "year", "kind", "dimension", "value", "rank", "rank_of", "source"])
            writer.writerows(rows)
        return import_published_indices(path)


@transaction.atomic
def load_demo_surveys(
    units: dict[str, OrgUnit], rng: random.Random, *, now: dt.datetime | None = None
) -> dict[str, int]:
    """Create the demo survey data for ``units`` (the dict returned by
    :func:`cchc.demo.province.build_units`: unit code → OrgUnit, with ``"DEMO"`` the province).
    Returns counts: ``paper_forms``, ``online_forms``, ``excluded``, ``published`` (rows) and
    ``already_loaded`` (1 when the campaigns existed and nothing was added)."""
    now = now or timezone.now()
    this_year = max(timezone.localtime(now).year, PAST_YEAR + 1)
    last_year = PAST_YEAR
    province = units["DEMO"]
    sipas = _questionnaire("sipas-dich-vu")
    _questionnaire("par-xa-hoi-hoc")
    result = {"paper_forms": 0, "online_forms": 0, "excluded": 0, "published": 0, "already_loaded": 0}
    if Campaign.objects.filter(questionnaire__code=SIPAS, period__in=[last_year, this_year]).exists():
        result["already_loaded"] = 1
        return result

    surveyed = sorted(
        (u for code, u in units.items() if code != "DEMO"),
        key=lambda u: u.code,
    )
    # Each unit has its own level of service, so results differ between units.
    quality = {u.code: rng.uniform(0.72, 0.97) for u in surveyed}
    last_day = dt.date(last_year, 12, 31)
    past_units = [
        u for u in surveyed if (u.valid_from or last_day) <= last_day and (u.valid_to or last_day) >= last_day
    ]
    stats = _paper_campaign(sipas, last_year, past_units, rng, quality)
    result["paper_forms"] = stats["created"]

    sec = get_user_model().objects.filter(roles__role="secretariat", roles__unit=province).first()
    past = list(
        Response.objects.filter(campaign__period=last_year, campaign__questionnaire=sipas).order_by("pk")
    )
    for response in rng.sample(past, min(4, len(past))):
        services.exclude_response(response, sec, EXCLUSION_REASON)
        result["excluded"] += 1
    refresh_indicators(Campaign.objects.get(questionnaire=sipas, period=last_year))

    today = timezone.localtime(now).date()
    current = [
        u
        for u in OrgUnit.objects.active_on(today)
        .filter(pk__in=[u.pk for u in surveyed])
        .select_related("unit_type")
    ]
    result["online_forms"] = _online_campaign(
        sipas, this_year, sorted(current, key=lambda u: u.code), rng, quality, now
    )

    published = _published(province, range(this_year - 5, this_year), rng)
    result["published"] = published["created"] + published["updated"]
    set_target(
        province, "sipas", this_year, Decimal(85), source_document="Kế hoạch CCHC năm của UBND tỉnh (demo)"
    )
    return result
