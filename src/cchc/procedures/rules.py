"""Dossier life-cycle rules as pure functions (no database), the single definition that the
import, the rollups and the KPI queries share. See docs/methodology/dossier-kpis.md.

Times are aware datetimes; "days" are calendar days in Vietnam's time zone (Asia/Ho_Chi_Minh).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from cchc.core.dates import VN  # the one time-zone constant

OPEN_STATUSES = frozenset({"received", "in_progress", "supplement"})
RESOLVED_STATUSES = frozenset({"resolved", "returned"})
WITHDRAWN_STATUSES = frozenset({"rejected", "withdrawn", "cancelled"})
STATUSES = OPEN_STATUSES | RESOLVED_STATUSES | WITHDRAWN_STATUSES
CHANNELS = frozenset({"online", "direct", "postal"})

EARLY, ON_TIME, LATE = "early", "on_time", "late"


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(VN).date()


def end_of_day(day: dt.date) -> dt.datetime:
    """A date alone in ``due_at`` means the end of that day (local time)."""
    return dt.datetime.combine(day, dt.time(23, 59, 59, 999999), tzinfo=VN)


def effective_deadline(
    due_at: dt.datetime,
    supplement_requested_at: dt.datetime | None,
    supplement_received_at: dt.datetime | None,
    as_of: dt.datetime | None = None,
) -> dt.datetime | None:
    """``due_at`` moved later by the time the citizen spent supplementing the dossier.

    While a supplement is pending (requested, not received) the clock is stopped: the deadline as
    seen at ``as_of`` is ``due_at + (as_of − requested)``; without ``as_of`` it is unknown (None).
    A request after ``as_of`` has not happened yet at ``as_of``; neither has a receipt after it.
    """
    if supplement_requested_at is None or (as_of is not None and supplement_requested_at > as_of):
        return due_at
    back = supplement_received_at
    if back is not None and as_of is not None and back > as_of:
        back = None
    if back is None:
        if as_of is None:
            return None
        back = as_of
    pause = back - supplement_requested_at
    return due_at + max(pause, dt.timedelta(0))


def classify(finished_at: dt.datetime, deadline: dt.datetime, supplement_count: int = 0) -> str:
    """Early: finished on a day before the deadline's day. On time: finished on that day, not
    after the deadline. Late: finished after the deadline, or more than one supplement request
    (the Decision 766 rule)."""
    if supplement_count > 1 or finished_at > deadline:
        return LATE
    if local_day(finished_at) < local_day(deadline):
        return EARLY
    return ON_TIME


def resolved_outcome(
    finished_at: dt.datetime,
    due_at: dt.datetime,
    supplement_requested_at: dt.datetime | None,
    supplement_received_at: dt.datetime | None,
    supplement_count: int,
) -> str:
    """The outcome of a resolved dossier. A supplement requested and never received before the
    end counts the request as the end of the citizen's pause (the pause lasts until finishing)."""
    deadline = effective_deadline(due_at, supplement_requested_at, supplement_received_at, as_of=finished_at)
    assert deadline is not None
    return classify(finished_at, deadline, supplement_count)


def is_overdue(
    as_of: dt.datetime,
    due_at: dt.datetime,
    supplement_requested_at: dt.datetime | None,
    supplement_received_at: dt.datetime | None,
    supplement_count: int,
) -> bool:
    """An open dossier is overdue at ``as_of`` when its effective deadline (as seen then) is
    before ``as_of`` (issue 3 §4). More than one supplement request makes a *resolved* dossier
    late (Decision 766, :func:`classify`); it does not make an open one overdue, so
    ``supplement_count`` is accepted for symmetry with :func:`resolved_outcome` and not used."""
    del supplement_count
    deadline = effective_deadline(due_at, supplement_requested_at, supplement_received_at, as_of=as_of)
    assert deadline is not None
    return deadline < as_of


def is_open_at(received_at: dt.datetime, finished_at: dt.datetime | None, as_of: dt.datetime) -> bool:
    """Received before ``as_of`` and not finished by then."""
    return received_at < as_of and (finished_at is None or finished_at >= as_of)


@dataclass(frozen=True)
class RowProblem:
    column: str
    reason: str


def check_consistency(
    *,
    status: str,
    received_at: dt.datetime,
    finished_at: dt.datetime | None,
    returned_at: dt.datetime | None,
    supplement_requested_at: dt.datetime | None,
    supplement_received_at: dt.datetime | None,
    supplement_count: int,
) -> list[RowProblem]:
    """The life-cycle constraints a dossier row must satisfy."""
    problems = []
    if status in RESOLVED_STATUSES | WITHDRAWN_STATUSES and finished_at is None:
        problems.append(RowProblem("finished_at", _("bắt buộc khi trạng thái là %(s)s") % {"s": status}))
    if status in OPEN_STATUSES and finished_at is not None:
        problems.append(RowProblem("finished_at", _("phải để trống khi trạng thái là %(s)s") % {"s": status}))
    if finished_at is not None and finished_at < received_at:
        problems.append(RowProblem("finished_at", _("trước received_at (ngày tiếp nhận)")))
    if returned_at is not None and status != "returned":
        problems.append(RowProblem("returned_at", _("có giá trị nhưng trạng thái là %(s)s") % {"s": status}))
    if returned_at is not None and finished_at is not None and returned_at < finished_at:
        problems.append(RowProblem("returned_at", _("trước finished_at (ngày giải quyết xong)")))
    if supplement_received_at is not None and supplement_requested_at is None:
        problems.append(
            RowProblem("supplement_received_at", _("có giá trị nhưng thiếu supplement_requested_at"))
        )
    if supplement_requested_at is not None and supplement_requested_at < received_at:
        problems.append(RowProblem("supplement_requested_at", _("trước received_at (ngày tiếp nhận)")))
    if (
        supplement_requested_at is not None
        and supplement_received_at is not None
        and supplement_received_at < supplement_requested_at
    ):
        problems.append(
            RowProblem("supplement_received_at", _("trước supplement_requested_at (ngày yêu cầu bổ sung)"))
        )
    if supplement_requested_at is not None and supplement_count < 1:
        problems.append(RowProblem("supplement_count", _("phải từ 1 trở lên khi đã yêu cầu bổ sung")))
    if status == "supplement" and (supplement_requested_at is None or supplement_received_at is not None):
        problems.append(
            RowProblem(
                "status",
                _("trạng thái supplement cần supplement_requested_at và chưa có supplement_received_at"),
            )
        )
    return problems


def map_online_mode(raw: str) -> str:
    """``full|partial|none`` or the legacy levels of Circular 32/2017 (approximate mapping):
    4 → full (toàn trình), 3 → partial (một phần), 1 and 2 → none."""
    value = raw.strip().lower()
    legacy = {"4": "full", "3": "partial", "2": "none", "1": "none"}
    if value in legacy:
        return legacy[value]
    if value in {"full", "partial", "none"}:
        return value
    raise ValueError(f"{raw!r} is not one of full, partial, none, 3, 4")
