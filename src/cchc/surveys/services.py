"""Every state change of the surveys app: campaigns, responses, exclusions, questionnaire versions.

``parse_answers`` is pure (question-like objects + raw values → normalised values or errors);
the other functions are atomic.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.orgs.models import OrgUnit
from cchc.surveys import skip_logic
from cchc.surveys.models import (
    Answer,
    Campaign,
    CampaignStatus,
    CampaignUnit,
    Invitation,
    Question,
    Questionnaire,
    QuestionnaireStatus,
    QuestionType,
    Response,
    ResponseChannel,
    Section,
)

log = logging.getLogger(__name__)

NA_TOKENS = {"", "na", "n/a", "không áp dụng"}


class AlreadyAnswered(Exception):
    """The invitation (one-time token) was already used."""

    def __init__(self, response: Response | None = None):
        self.response = response
        super().__init__("this invitation has already been answered")


class InvalidAnswers(ValueError):
    """``errors``: {question code: reason}."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


class CampaignClosed(Exception):
    pass


class CampaignNotStarted(CampaignClosed):
    """Before ``starts_on``."""


class CampaignEnded(CampaignClosed):
    """After ``ends_on``."""


class TooFewAnswers(ValueError):
    """The form has fewer valid answers than its questionnaire requires (it would not count)."""

    def __init__(self, minimum: int):
        self.minimum = minimum
        super().__init__(f"fewer than {minimum} valid answer(s)")


def accepting(campaign: Campaign, today: dt.date | None = None) -> None:
    """Whether online forms are taken today: an open campaign between ``starts_on`` and
    ``ends_on`` (inclusive, local dates). Raises CampaignClosed, CampaignNotStarted or
    CampaignEnded."""
    if campaign.status != CampaignStatus.OPEN:
        raise CampaignClosed(campaign)
    today = today or timezone.localdate()
    if campaign.starts_on and today < campaign.starts_on:
        raise CampaignNotStarted(campaign)
    if campaign.ends_on and today > campaign.ends_on:
        raise CampaignEnded(campaign)


def valid_answer_count(questions: Sequence, values: Mapping[str, AnswerValue]) -> int:
    """The valid answers of one form, as ``Response.objects.counted`` counts them: levels 1–5 of
    scale questions, or (a questionnaire without scale questions) any answer but "na"."""
    by_code = {q.code: q for q in questions}
    if any(q.type == QuestionType.SCALE5 for q in questions):
        return sum(
            1
            for code, v in values.items()
            if code in by_code
            and by_code[code].type == QuestionType.SCALE5
            and not v.is_na
            and v.value_int in {1, 2, 3, 4, 5}
        )
    return sum(1 for code, v in values.items() if code in by_code and not v.is_na)


def counts_as_form(
    questionnaire: Questionnaire, questions: Sequence, values: Mapping[str, AnswerValue]
) -> bool:
    return valid_answer_count(questions, values) >= max(1, questionnaire.min_valid_answers)


@dataclass(frozen=True)
class AnswerValue:
    """A normalised answer, ready to be an ``Answer`` row."""

    value_int: int | None = None
    value_decimal: Decimal | None = None
    value_text: str = ""
    choices: tuple[str, ...] = ()
    is_na: bool = False

    def as_fields(self) -> dict:
        return {
            "value_int": self.value_int,
            "value_decimal": self.value_decimal,
            "value_text": self.value_text,
            "choices": list(self.choices),
            "is_na": self.is_na,
        }


@dataclass
class ParsedAnswers:
    values: dict[str, AnswerValue] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _is_empty(raw) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str) and raw.strip().lower() in NA_TOKENS:
        return True
    return isinstance(raw, list | tuple) and not raw


def parse_value(question, raw) -> AnswerValue | None:
    """One raw value (str from a form or a file, int, list) → AnswerValue; None = not answered.
    Raises ValueError with a readable reason."""
    qtype = question.type
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, str) and raw.strip().lower() in NA_TOKENS - {""}:
        if not question.allow_na:
            raise ValueError(_("câu hỏi này không cho chọn 'na' (không áp dụng)"))
        return AnswerValue(is_na=True)
    if _is_empty(raw):
        return None
    if isinstance(raw, bool):
        raise ValueError(_("giá trị không hợp lệ: %(v)s") % {"v": repr(raw)})
    if qtype == QuestionType.SCALE5:
        text = str(raw).strip()
        if text not in {"1", "2", "3", "4", "5"}:
            raise ValueError(_("cần 1–5 hoặc na, nhận được %(v)s") % {"v": repr(raw)})
        return AnswerValue(value_int=int(text))
    if qtype in (QuestionType.NUMBER, QuestionType.INTEGER):
        try:
            number = Decimal(str(raw).strip().replace(",", "."))
        except InvalidOperation:
            raise ValueError(_("không phải số: %(v)s") % {"v": repr(raw)}) from None
        if not number.is_finite() or abs(number) >= Decimal("1e12"):
            raise ValueError(_("không phải số: %(v)s") % {"v": repr(raw)})
        if qtype == QuestionType.INTEGER and number != number.to_integral_value():
            raise ValueError(_("không phải số nguyên: %(v)s") % {"v": repr(raw)})
        if number == number.to_integral_value():
            return AnswerValue(value_int=int(number), value_decimal=number)
        return AnswerValue(value_decimal=number)
    if qtype == QuestionType.TEXT:
        text = str(raw).strip()
        if len(text) > 5000:
            raise ValueError(_("văn bản dài quá 5000 ký tự"))
        return AnswerValue(value_text=text)
    codes = question.option_codes()
    if isinstance(raw, str):
        picked = [p.strip() for p in raw.split(";") if p.strip()]
    elif isinstance(raw, list | tuple):
        picked = [str(p).strip() for p in raw if str(p).strip()]
    else:
        picked = [str(raw)]
    unknown = [p for p in picked if p not in codes]
    if unknown:
        raise ValueError(
            _("không có lựa chọn %(v)s (chọn một trong: %(codes)s)")
            % {"v": repr(unknown[0]), "codes": ", ".join(codes)}
        )
    if qtype == QuestionType.CHOICE and len(picked) > 1:
        raise ValueError(_("chỉ được chọn một phương án"))
    ordered = tuple(c for c in codes if c in set(picked))
    return AnswerValue(choices=ordered)


def parse_answers(questions: Sequence, raw: Mapping[str, object]) -> ParsedAnswers:
    """Validate a whole set of answers against ordered questions, with skip logic.

    Unknown codes, answers to hidden questions (:mod:`cchc.surveys.skip_logic`), missing
    required answers and bad values are errors (reported per code); nothing is silently dropped."""
    result = ParsedAnswers()
    known = {q.code for q in questions}
    for code in raw:
        if code not in known:
            result.errors[code] = _("không có câu hỏi này")
    for q in questions:
        value = None
        try:
            value = parse_value(q, raw.get(q.code))
        except ValueError as exc:
            result.errors[q.code] = str(exc)
            continue
        shown = skip_logic.is_shown(q, result.values)
        if not shown:
            if value is not None and not value.is_na:
                result.errors[q.code] = _("có trả lời nhưng câu hỏi bị ẩn theo điều kiện (show_if)")
            continue
        if value is None:
            if q.required:
                result.errors[q.code] = _("bắt buộc trả lời")
            continue
        result.values[q.code] = value
    return result


def _questions(questionnaire: Questionnaire) -> list[Question]:
    return list(questionnaire.questions.order_by("order", "pk"))


def new_public_key() -> str:
    return secrets.token_urlsafe(9).replace("_", "x").replace("-", "y")


def create_campaign(
    questionnaire: Questionnaire,
    period: int,
    units: Iterable[OrgUnit],
    target: int | Mapping[int, int] = 0,
    channels: Sequence[str] = (ResponseChannel.WEB, ResponseChannel.PAPER),
    *,
    name: str = "",
    user=None,
    public: bool = True,
    status: str = CampaignStatus.OPEN,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
) -> Campaign:
    """The campaign of a questionnaire and period (created or reused) with its units; ``target``
    is one sample size for every unit or {unit id: size}. Existing units keep their key.
    ``starts_on``/``ends_on`` bound the days online forms are taken (``accepting``); none by
    default — the period is the year surveyed, often fielded into the next year."""
    if starts_on and ends_on and ends_on < starts_on:
        raise ValueError("ends_on before starts_on")
    bad = [c for c in channels if c not in ResponseChannel.values]
    if bad:
        raise ValueError(f"unknown channel {bad[0]!r}")
    with transaction.atomic():
        campaign, _created = Campaign.objects.get_or_create(
            questionnaire=questionnaire,
            period=period,
            defaults={
                "name": name or f"{questionnaire.name} — {period}",
                "channels": list(channels),
                "created_by": user,
                "public": public,
                "status": status,
                "starts_on": starts_on,
                "ends_on": ends_on,
            },
        )
        existing = {cu.unit_id: cu for cu in campaign.campaign_units.all()}
        new = []
        for unit in units:
            size = target.get(unit.pk, 0) if isinstance(target, Mapping) else int(target)
            cu = existing.get(unit.pk)
            if cu is None:
                cu = CampaignUnit(
                    campaign=campaign, unit=unit, target_sample=size, public_key=new_public_key()
                )
                new.append(cu)
                existing[unit.pk] = cu
            elif size and cu.target_sample != size:
                cu.target_sample = size
                cu.save(update_fields=["target_sample"])
        CampaignUnit.objects.bulk_create(new)
    return campaign


def guided_targets(units: Sequence[OrgUnit], period: int, margin: float = 0.05) -> dict[int, int]:
    """The sampling guidance per unit: n = z²·p(1−p)/e² at 95 % (385 at ±5 %), with the
    finite-population correction on the dossiers the unit received the year before (a unit that
    serves few citizens needs fewer forms); at least 30 forms where it has any population."""
    from django.db.models import Count

    from cchc.procedures.models import Dossier
    from cchc.surveys.sipas import sample_size

    start = timezone.make_aware(dt.datetime(period - 1, 1, 1))
    end = timezone.make_aware(dt.datetime(period, 1, 1))
    received = dict(
        Dossier.objects.filter(unit__in=units, received_at__gte=start, received_at__lt=end)
        .values("unit_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "n")
    )
    targets = {}
    for unit in units:
        population = received.get(unit.pk)
        n = sample_size(population, margin=margin)
        targets[unit.pk] = min(population, max(30, n)) if population else n
    return targets


def create_invitations(campaign_unit: CampaignUnit, count: int) -> list[Invitation]:
    """``count`` one-time tokens for printed or sent invitations."""
    items = [Invitation(campaign_unit=campaign_unit, token=secrets.token_urlsafe(12)) for _ in range(count)]
    return Invitation.objects.bulk_create(items)


def submit_response(
    campaign_unit: CampaignUnit,
    answers: Mapping[str, object],
    *,
    channel: str = ResponseChannel.WEB,
    client_token: str | None = None,
    invitation: Invitation | None = None,
    form_no: str = "",
    submitted_at: dt.datetime | None = None,
    ip_hash: str = "",
    duration_seconds: int | None = None,
) -> Response:
    """Store one filled questionnaire, atomically. Validates every answer (types, options,
    required, skip logic) and raises InvalidAnswers. A repeated ``client_token`` returns the
    response already stored (a replay is a no-op); a used invitation raises AlreadyAnswered.
    Online channels need an open campaign (CampaignClosed); paper forms may come in later."""
    campaign = campaign_unit.campaign
    if channel not in ResponseChannel.values:
        raise ValueError(f"unknown channel {channel!r}")
    if channel != ResponseChannel.PAPER:
        accepting(campaign)
    if client_token:
        existing = Response.objects.filter(client_token=client_token).first()
        if existing is not None:
            return existing
    if invitation is not None:
        if invitation.campaign_unit_id != campaign_unit.pk:
            raise ValueError("invitation of another unit")
        if invitation.used_at is not None:
            raise AlreadyAnswered(Response.objects.filter(invitation=invitation).first())
    questions = _questions(campaign.questionnaire)
    parsed = parse_answers(questions, answers)
    if parsed.errors:
        raise InvalidAnswers(parsed.errors)
    if channel != ResponseChannel.PAPER and not counts_as_form(
        campaign.questionnaire, questions, parsed.values
    ):
        # An online form that would not count (an empty post of the last screen): refused.
        raise TooFewAnswers(max(1, campaign.questionnaire.min_valid_answers))
    by_code = {q.code: q for q in questions}
    now = timezone.now()
    try:
        with transaction.atomic():
            if invitation is not None:
                claimed = Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(
                    used_at=now
                )
                if not claimed:
                    raise AlreadyAnswered(Response.objects.filter(invitation=invitation).first())
            response = Response.objects.create(
                campaign=campaign,
                unit_id=campaign_unit.unit_id,
                channel=channel,
                form_no=form_no,
                submitted_at=submitted_at or now,
                client_token=client_token or None,
                invitation=invitation,
                ip_hash=ip_hash,
                duration_seconds=duration_seconds,
            )
            Answer.objects.bulk_create(
                [
                    Answer(response=response, question=by_code[code], **value.as_fields())
                    for code, value in parsed.values.items()
                ]
            )
    except IntegrityError:
        # A concurrent replay of the same token won the race: return what it stored.
        if client_token:
            existing = Response.objects.filter(client_token=client_token).first()
            if existing is not None:
                return existing
        if form_no:
            raise ValueError(f"form number {form_no!r} already exists in this campaign") from None
        raise
    return response


def _refresh_indicators_on_commit(response: Response) -> None:
    """An exclusion or a restoration changes the campaign's indicator values at once."""
    from cchc.surveys.indicators import refresh_indicators

    campaign_id = response.campaign_id

    def refresh():
        refresh_indicators(Campaign.objects.select_related("questionnaire").get(pk=campaign_id))

    transaction.on_commit(refresh)


def exclude_response(response: Response, user, reason: str) -> Response:
    """Quality control: the response stops counting (every result, every indicator)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("a reason is required to exclude a response")
    with transaction.atomic():
        Response.objects.filter(pk=response.pk).update(
            excluded=True, exclusion_reason=reason, excluded_by=user, excluded_at=timezone.now()
        )
        response.refresh_from_db()
        _refresh_indicators_on_commit(response)
    log.info("response %s excluded by %s: %s", response.pk, user, reason)
    return response


def restore_response(response: Response, user) -> Response:
    """Undo an exclusion; the reason of the exclusion stays in the log."""
    with transaction.atomic():
        Response.objects.filter(pk=response.pk).update(
            excluded=False, exclusion_reason="", excluded_by=None, excluded_at=None
        )
        response.refresh_from_db()
        _refresh_indicators_on_commit(response)
    log.info("response %s restored by %s", response.pk, user)
    return response


def new_version(questionnaire: Questionnaire, *, activate: bool = True) -> Questionnaire:
    """A copy of the questionnaire as version + 1 of its code (sections and questions copied);
    with ``activate`` the older versions are archived (their campaigns keep running)."""
    with transaction.atomic():
        latest = Questionnaire.objects.filter(code=questionnaire.code).order_by("-version").first()
        copy = Questionnaire.objects.create(
            code=questionnaire.code,
            version=latest.version + 1,
            name=questionnaire.name,
            kind=questionnaire.kind,
            audience=questionnaire.audience,
            source_document=questionnaire.source_document,
            description=questionnaire.description,
            status=QuestionnaireStatus.ACTIVE if activate else QuestionnaireStatus.DRAFT,
            previous=questionnaire,
            aspects=questionnaire.aspects,
            index_method=questionnaire.index_method,
        )
        sections = {}
        for s in questionnaire.sections.all():
            sections[s.pk] = Section.objects.create(
                questionnaire=copy, order=s.order, code=s.code, title=s.title
            )
        Question.objects.bulk_create(
            [
                Question(
                    questionnaire=copy,
                    section=sections.get(q.section_id),
                    order=q.order,
                    code=q.code,
                    text=q.text,
                    type=q.type,
                    aspect=q.aspect,
                    criterion=q.criterion,
                    required=q.required,
                    allow_na=q.allow_na,
                    options=q.options,
                    show_if=q.show_if,
                    is_expectation=q.is_expectation,
                )
                for q in questionnaire.questions.all()
            ]
        )
        if activate:
            Questionnaire.objects.filter(code=questionnaire.code).exclude(pk=copy.pk).update(
                status=QuestionnaireStatus.ARCHIVED
            )
    return copy


def active_questionnaires():
    """The questionnaires a new campaign may use."""
    return Questionnaire.objects.filter(status=QuestionnaireStatus.ACTIVE).order_by("code")


def latest_questionnaire(code: str) -> Questionnaire | None:
    """The newest non-draft version of a code (else the newest draft)."""
    qs = Questionnaire.objects.filter(code=code).order_by("-version")
    return qs.exclude(status=QuestionnaireStatus.DRAFT).first() or qs.first()
