"""Pages of the evaluation year. Views are thin: they ask the access helper what the user may
do, call one service, and render. Objects outside the user's scope are 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cchc.assessments import services, tasks, workflow
from cchc.assessments.access import (
    assessments_for,
    get_assessment_for_user,
    get_evidence_for_user,
    get_round_for_user,
    hidden_score_fields,
    result_visibility,
)
from cchc.assessments.exports import write_results
from cchc.assessments.models import Round, Score, ScoreChange, Status
from cchc.assessments.results import assessment_result, distribution, round_results
from cchc.assessments.trends import (
    field_rows,
    history_chart_data,
    predecessor_map,
    round_series,
    series_length,
    trends_chart_data,
    unit_history,
    unit_trends,
)
from cchc.core.widgets import parse_date
from cchc.frameworks.models import Framework, Node
from cchc.frameworks.scoring import is_indicator_rule, rule_step
from cchc.frameworks.tree import build_tree
from cchc.orgs.access import scope_for
from cchc.orgs.models import OrgUnit, Role, UnitType


def _errors(exc: Exception) -> list[str]:
    return list(getattr(exc, "messages", None) or [str(exc)])


# --- rounds -------------------------------------------------------------------------------------


@login_required
def rounds_list(request):
    scope = scope_for(request.user)
    if scope.has(Role.SECRETARIAT) or scope.has(Role.LEADER):
        rounds = Round.objects.select_related("framework")
    else:
        rounds = Round.objects.filter(pk__in=assessments_for(request.user).values("round_id")).select_related(
            "framework"
        )
    return render(
        request,
        "assessments/rounds_list.html",
        {"rounds": rounds, "can_open": scope.has(Role.SECRETARIAT)},
    )


@login_required
def round_new(request):
    if not scope_for(request.user).has(Role.SECRETARIAT):
        raise PermissionDenied
    frameworks = Framework.objects.order_by("-year", "code")
    if request.method == "POST":
        framework_id = request.POST.get("framework", "")
        framework = Framework.objects.filter(pk=framework_id).first() if framework_id.isdigit() else None
        try:
            year = int(request.POST.get("year", ""))
            if not 2000 <= year <= 2100:
                raise ValueError(year)
            deadline = _parse_deadline(request.POST.get("deadline", ""))
        except (ValueError, OverflowError):
            messages.error(request, _("Năm hoặc hạn nộp không hợp lệ."))
            return redirect("assessments:round_new")
        if framework is None:
            messages.error(request, _("Hãy chọn bộ chỉ số."))
            return redirect("assessments:round_new")
        round_obj, created = services.open_round(framework, year, user=request.user, deadline=deadline)
        messages.success(request, _("Đã mở đợt đánh giá cho %(n)s đơn vị.") % {"n": created})
        return redirect("assessments:round_overview", round_obj.pk)
    return render(
        request, "assessments/round_new.html", {"frameworks": frameworks, "year": timezone.now().year}
    )


def _parse_deadline(raw: str):
    """The deadline typed as dd/mm/yyyy (or ISO, as older links carry): 17:00 of that day."""
    day = parse_date(raw)
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time(17, 0)))


@login_required
def round_overview(request, round_id: int):
    round_obj, access = get_round_for_user(request.user, round_id)
    assessments = list(
        assessments_for(request.user).filter(round=round_obj).order_by("unit__unit_type__level", "unit__path")
    )
    tree = build_tree(round_obj.framework_id)
    manual_leaves = [leaf.id for leaf in tree.leaves if not is_indicator_rule(leaf.rule)]
    scored = dict(
        Score.objects.filter(assessment__in=assessments, node_id__in=manual_leaves)
        .filter(Q(self_score__isnull=False) | Q(not_applicable=True))
        .values("assessment_id")
        .annotate(n=Count("id"))
        .values_list("assessment_id", "n")
    )
    now = timezone.now()
    rows = []
    for a in assessments:
        done = scored.get(a.pk, 0)
        pending_late = (
            a.status == Status.DRAFT and round_obj.deadline is not None and now > round_obj.deadline
        )
        rows.append(
            {
                "a": a,
                "progress": round(100 * done / len(manual_leaves)) if manual_leaves else 100,
                "late": pending_late,
                # kept once the unit has submitted: recorded at submission against the deadline
                "days_late": a.working_days_late if a.status != Status.DRAFT else None,
            }
        )
    counts = {s.value: 0 for s in Status}
    for a in assessments:
        counts[a.status] += 1
    return render(
        request,
        "assessments/round_overview.html",
        {
            "round": round_obj,
            "rows": rows,
            "manage": access.manage,
            "bulk_steps": [workflow.step(a) for a in workflow.BULK_ACTIONS],
            "status_counts": [(Status(k).label, v) for k, v in counts.items()],
            "late_count": sum(1 for r in rows if r["late"]),
            "submitted_late_count": sum(1 for r in rows if r["days_late"]),
        },
    )


@login_required
@require_POST
def round_bulk(request, round_id: int):
    round_obj, access = get_round_for_user(request.user, round_id)
    if not access.manage:
        raise PermissionDenied
    action = request.POST.get("action")
    ids = [i for i in request.POST.getlist("ids") if i.isdigit()]
    selected = assessments_for(request.user).filter(round=round_obj, pk__in=ids).order_by("unit__path")
    if action == "remind":
        n = tasks.remind_late(round_obj, user=request.user)
        if n:
            messages.success(
                request, _("Đã xếp lịch gửi thư nhắc %(n)s đơn vị chưa nộp (chạy nền).") % {"n": n}
            )
        else:
            messages.info(request, _("Không có đơn vị nào nộp muộn."))
    elif action == "deadline":
        try:
            deadline = _parse_deadline(request.POST.get("deadline", "").strip())
        except ValueError:
            messages.error(request, _("Hạn nộp không hợp lệ."))
        else:
            try:
                services.set_deadline(round_obj, deadline, user=request.user)
            except ValidationError as exc:
                for e in _errors(exc):
                    messages.error(request, e)
            else:
                messages.success(request, _("Đã cập nhật hạn nộp."))
    elif action in workflow.BULK_ACTIONS:
        assessments = list(selected)
        if not assessments:
            messages.error(request, _("Chưa chọn đơn vị nào: hãy đánh dấu các đơn vị cần xử lý."))
            return redirect("assessments:round_overview", round_obj.pk)
        override_reason = request.POST.get("override_reason", "").strip()
        if request.POST.get("confirm") != "1":
            return _confirm_page(
                request,
                action,
                assessments,
                form_action=reverse("assessments:round_bulk", args=[round_obj.pk]),
                back=reverse("assessments:round_overview", args=[round_obj.pk]),
                round_obj=round_obj,
            )
        done, errors = services.perform_many(action, assessments, user=request.user, reason=override_reason)
        if done:
            messages.success(request, _("Đã xử lý %(n)s bản đánh giá.") % {"n": done})
        for err in errors:
            messages.warning(request, err)
    else:
        messages.error(request, _("Thao tác không hợp lệ."))
    return redirect("assessments:round_overview", round_obj.pk)


def _confirm_page(request, action, assessments, *, form_action, back, round_obj=None, note=""):
    """The server-rendered confirmation of a workflow action (works without JavaScript): what will
    happen, to how many units, which will not change and why, and who will see it."""
    preview = services.preview_action(action, assessments, user=request.user)
    return render(
        request,
        "assessments/confirm.html",
        {
            "action": action,
            "action_label": workflow.step(action).title,
            "preview": preview,
            "form_action": form_action,
            "back": back,
            "round": round_obj,
            "single": assessments[0] if len(assessments) == 1 and round_obj is None else None,
            "ids": [a.pk for a in assessments],
            "note": note,
        },
    )


@login_required
def round_results_view(request, round_id: int):
    round_obj, access = get_round_for_user(request.user, round_id)
    group = request.GET.get("group") or None
    visibility = result_visibility(request.user)
    results = round_results(round_obj, group=group, visibility=visibility)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="ket-qua-{round_obj.framework.code}-{round_obj.year}.xlsx"'
        )
        write_results(results, "xlsx", response)
        return response
    sort = request.GET.get("sort", "rank")
    keys = {
        "rank": lambda r: r.rank or 10**6,
        "unit": lambda r: r.unit_name,
        "index": lambda r: -(r.index or Decimal(0)),
        "change": lambda r: -(r.rank_change or 0),
        "diff": lambda r: -(r.self_vs_appraised if r.self_vs_appraised is not None else Decimal(-(10**9))),
    }
    results.sort(key=keys.get(sort, keys["rank"]))
    tree = build_tree(round_obj.framework_id)
    dist = distribution(results, tree.bands)
    total = len(results) or 1
    types = round_obj.framework.unit_types.all()
    by_rank = sorted(results, key=keys["rank"])
    chart = {
        "distribution": {
            "labels": [b.name for b, _n in dist],
            "values": [n for _b, n in dist],
            "colors": [b.color for b, _n in dist],
            "title": _("Số đơn vị"),
        },
        "indices": {
            "labels": [r.unit_name for r in by_rank],
            "values": [float(r.index) if r.index is not None else None for r in by_rank],
            "colors": [r.band.color if r.band else "#94a3b8" for r in by_rank],
            "title": _("Chỉ số (%)"),
        },
    }
    return render(
        request,
        "assessments/results.html",
        {
            "round": round_obj,
            "results": results,
            "distribution": [(b, n, round(100 * n / total)) for b, n in dist],
            "group": group,
            "types": types,
            "sort": sort,
            "manage": access.manage,
            "show_status": visibility.sees_unpublished,
            "chart": chart,
        },
    )


# --- trends across years (read-only) ------------------------------------------------------------


def _visible_assessments(user):
    """What a user's trends are built from: the assessments in scope, published ones only for
    everyone but the secretariat (the rule of the results page)."""
    scope = scope_for(user)
    qs = assessments_for(user)
    if not (scope.has(Role.SECRETARIAT) or scope.superuser):
        qs = qs.filter(status=Status.PUBLISHED)
    return qs


@login_required
def trends_view(request):
    """Each unit's index, class and rank across the years of one unit type."""
    scope = scope_for(request.user)
    if not (scope.superuser or any(scope.paths.values())):
        raise PermissionDenied
    visible_qs = _visible_assessments(request.user)
    types = list(
        UnitType.objects.filter(pk__in=visible_qs.values("unit__unit_type_id")).order_by("level", "code")
    )
    group = request.GET.get("type") or (types[0].code if types else "")
    if types and group not in {t.code for t in types}:
        raise Http404
    heads = list(
        Round.objects.filter(pk__in=visible_qs.filter(unit__unit_type__code=group).values("round_id"))
        .select_related("framework")
        .order_by("-year", "framework__code")
    )
    head = heads[0] if heads else None
    if request.GET.get("round"):
        head = next((r for r in heads if str(r.pk) == request.GET["round"]), None)
        if head is None:
            raise Http404
    years, rows, series, series_total = [], [], [], 0
    if head is not None:
        series = round_series(head)
        series_total = series_length(head)
        visible = set(visible_qs.filter(round__in=series).values_list("pk", flat=True))
        years, rows = unit_trends(
            series, group, lambda r: r.assessment_id in visible, result_visibility(request.user)
        )
    return render(
        request,
        "assessments/trends.html",
        {
            "types": types,
            "group": group,
            "heads": heads,
            "head": head,
            "series": series,
            "series_total": series_total,
            "years": years,
            "rows": [(row, row.cell_list(years)) for row in rows],
            "chart": {
                **trends_chart_data(years, rows),
                "index_title": _("Chỉ số (%)"),
                "rank_title": _("Thứ hạng"),
            },
        },
    )


@login_required
def unit_history_view(request, unit_id: int):
    """One unit across the years: index, class, rank and the index of each field; before a
    merger, the units merged into it."""
    unit = get_object_or_404(OrgUnit.objects.select_related("unit_type", "successor"), pk=unit_id)
    if not scope_for(request.user).any_covers(unit):
        raise Http404
    predecessors = predecessor_map([unit.pk]).get(unit.pk, [])
    assessments = list(
        _visible_assessments(request.user)
        .filter(unit_id__in=[unit.pk, *predecessors])
        .select_related("unit__unit_type", "round__framework")
    )
    columns = unit_history(unit, assessments, lambda r: True, result_visibility(request.user))
    return render(
        request,
        "assessments/unit_history.html",
        {
            "unit": unit,
            "columns": columns,
            "fields": field_rows(columns),
            "predecessors": OrgUnit.objects.filter(pk__in=predecessors).order_by("name"),
            "chart": {**history_chart_data(columns, _("Chỉ số (%)")), "index_title": _("Chỉ số (%)")},
        },
    )


# --- one assessment ----------------------------------------------------------------------------

# The filters of the assessment page (?show=…): what a unit answering an appraisal looks for.
FILTERS = {
    "explain": _("Cần giải trình"),
    "missing": _("Thiếu tài liệu"),
    "changed": _("Đã thay đổi khi thẩm định"),
}
HISTORY_OPEN = 10  # score changes shown before the rest is folded
HISTORY_MAX = 50


def _leaf_rows(assessment, tree, access):
    scores = {s.node_id: s for s in Score.objects.filter(assessment=assessment).prefetch_related("evidence")}
    result = assessment_result(assessment, with_appraisal=access.see_appraisal)
    rows = []
    for node in tree.walk():
        score = scores.get(node.id)
        rows.append(_row(node, score, result.node_points.get(node.id), access))
    return rows, result


def _row(node, score, points, access):
    evidence = list(score.evidence.all()) if score else []
    indicator = is_indicator_rule(node.rule)
    commented = bool(score and score.appraiser_comment.strip() and access.see_comments)
    changed = bool(
        score
        and access.see_appraisal
        and score.appraised_score is not None
        and score.appraised_score != score.self_score
    )
    missing_evidence = (
        node.is_leaf
        and node.evidence_required
        and not evidence
        and not (score and (score.explanation.strip() or score.not_applicable))
    )
    return {
        "node": node,
        "score": score,
        "points": points,
        "evidence": evidence,
        "indicator": indicator,
        "step": "0.01" if indicator else str(rule_step(node.rule)),
        "yes_no": node.rule.get("type") == "yes_no",
        "missing_evidence": missing_evidence,
        "commented": commented,
        "answered": bool(commented and score.unit_response.strip()),
        "changed": changed,
        "flags": {"explain": commented, "missing": missing_evidence, "changed": changed},
        "self_value": services.format_score(score.self_score) if score else "",
        "appraised_value": services.format_score(score.appraised_score) if score else "",
        "access": access,
    }


def _ancestor_ids(tree, node) -> list[int]:
    ids = []
    parent_id = node.parent_id
    while parent_id is not None:
        ids.append(parent_id)
        parent_id = tree.by_id[parent_id].parent_id
    return ids


def _filter_rows(tree, rows, show: str):
    """Keep the leaves matching the filter and the groups above them."""
    keep_ids = set()
    for row in rows:
        if row["node"].is_leaf and row["flags"][show]:
            keep_ids.add(row["node"].id)
            keep_ids.update(_ancestor_ids(tree, row["node"]))
    return [r for r in rows if r["node"].id in keep_ids]


def _return_note(assessment, access):
    """The appraiser's note of the last return for explanation, for the unit answering it."""
    if assessment.status != Status.RETURNED or not access.see_comments:
        return None
    return (
        assessment.transitions.filter(to_status=Status.RETURNED)
        .select_related("by")
        .order_by("-at", "-id")
        .first()
    )


def _score_history(assessment, access) -> dict:
    """The score changes the reader may see, newest first: the last ``HISTORY_OPEN`` open, the
    rest up to ``HISTORY_MAX`` folded (the page, and out of band after an autosave)."""
    all_changes = ScoreChange.objects.filter(score__assessment=assessment).exclude(
        field__in=hidden_score_fields(access)
    )
    changes = list(all_changes.select_related("by", "score__node").order_by("-at", "-id")[:HISTORY_MAX])
    return {
        "changes": changes,
        "recent_changes": changes[:HISTORY_OPEN],
        "older_changes": changes[HISTORY_OPEN:],
        "changes_total": all_changes.count(),
    }


@login_required
def assessment_detail(request, assessment_id: int):
    assessment, access = get_assessment_for_user(request.user, assessment_id)
    tree = build_tree(assessment.round.framework_id)
    rows, result = _leaf_rows(assessment, tree, access)
    counts = {key: sum(1 for r in rows if r["node"].is_leaf and r["flags"][key]) for key in FILTERS}
    show = request.GET.get("show", "")
    if show not in FILTERS:
        show = ""
    shown_rows = _filter_rows(tree, rows, show) if show else rows
    return render(
        request,
        "assessments/assessment.html",
        {
            "assessment": assessment,
            "access": access,
            "rows": shown_rows,
            "result": result,
            "filters": [(key, label, counts[key]) for key, label in FILTERS.items()],
            "show": show,
            "return_note": _return_note(assessment, access),
            "steps": workflow.offered_steps(access),
            "transitions": assessment.transitions.select_related("by"),
            **_score_history(assessment, access),
            "missing": services.missing_items(assessment) if access.submit else [],
        },
    )


@login_required
@require_POST
def leaf_save(request, assessment_id: int, node_id: int):
    """Autosave of one leaf (HTMX), or a plain form POST without JavaScript."""
    assessment, access = get_assessment_for_user(request.user, assessment_id)
    node = get_object_or_404(Node, pk=node_id, framework_id=assessment.round.framework_id)
    errors: list[str] = []
    entered: dict[str, str] = {}
    post = request.POST
    # the page names the score input by the score it writes (self_score, appraised_score)
    field = services.leaf_score_field(access)
    if field in post:
        entered[field] = post[field]
    try:
        services.save_leaf(
            assessment,
            node,
            user=request.user,
            score=post.get(field, services.UNSET),
            not_applicable=post.get("not_applicable") == "on" if "na_present" in post else None,
            explanation=post.get("explanation"),
            comment=post.get("appraiser_comment"),
            response=post.get("unit_response"),
            reason=post.get("reason", ""),
        )
    except ValidationError as exc:
        errors = _errors(exc)
    assessment.refresh_from_db()
    if request.htmx:
        return _leaf_fragment(request, assessment, node, errors, entered if errors else {})
    for e in errors:
        messages.error(request, e)
    if not errors:
        messages.success(request, _("Đã lưu tiêu chí %(code)s.") % {"code": node.code})
    return redirect(reverse("assessments:detail", args=[assessment.pk]) + f"#leaf-{node.pk}")


def _leaf_fragment(request, assessment, node, errors, entered=None, notice="", status=None):
    """The row of one leaf, re-rendered with its errors beside the fields (the value entered is
    kept visible, not saved), and out of band the totals, the subtotals of its fields and the
    score history."""
    _assessment, access = get_assessment_for_user(request.user, assessment.pk)
    tree = build_tree(assessment.round.framework_id)
    tnode = tree.by_id[node.pk]
    score = Score.objects.filter(assessment=assessment, node=node).prefetch_related("evidence").first()
    result = assessment_result(assessment, with_appraisal=access.see_appraisal)
    row = _row(tnode, score, result.node_points.get(node.pk), access)
    row["errors"] = errors
    for name, raw in (entered or {}).items():
        row[f"{name}_entered"] = raw
        row[f"{name}_error"] = True
    row["notice"] = notice
    subtotals = [(i, result.node_points.get(i)) for i in _ancestor_ids(tree, tnode)]
    return render(
        request,
        "assessments/_leaf_fragment.html",
        {
            "row": row,
            "assessment": assessment,
            "access": access,
            "result": result,
            "subtotals": subtotals,
            **_score_history(assessment, access),
        },
        status=status or (200 if not errors else 422),
    )


@login_required
@require_POST
def evidence_upload(request, assessment_id: int, node_id: int):
    assessment, access = get_assessment_for_user(request.user, assessment_id)
    node = get_object_or_404(Node, pk=node_id, framework_id=assessment.round.framework_id)
    uploaded = request.FILES.get("file")
    errors, notice = [], ""
    if uploaded is None:
        errors = [_("Hãy chọn tệp tài liệu kiểm chứng.")]
    else:
        try:
            services.add_evidence(assessment, node, uploaded, user=request.user)
            notice = _("Đã tải lên %(name)s.") % {"name": uploaded.name}
        except ValidationError as exc:
            errors = _errors(exc)
    if request.htmx:
        # the row swapped in place, with its message: the page stays where the user is
        return _leaf_fragment(request, assessment, node, errors, notice=notice, status=200)
    for e in errors:
        messages.error(request, e)
    if notice:
        messages.success(request, notice)
    return redirect(reverse("assessments:detail", args=[assessment.pk]) + f"#leaf-{node.pk}")


INLINE_TYPES = {"application/pdf", "image/png", "image/jpeg"}


@login_required
def evidence_download(request, evidence_id: int):
    evidence, _access = get_evidence_for_user(request.user, evidence_id)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    inline = request.GET.get("inline") == "1" and evidence.content_type in INLINE_TYPES
    response = FileResponse(
        handle, as_attachment=not inline, filename=evidence.original_name, content_type=evidence.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    )
    return response


@login_required
@require_POST
def evidence_delete(request, evidence_id: int):
    evidence, _access = get_evidence_for_user(request.user, evidence_id)
    assessment = evidence.score.assessment
    node = evidence.score.node
    name = evidence.original_name
    errors, notice = [], ""
    try:
        services.remove_evidence(evidence, user=request.user)
        notice = _("Đã xoá tài liệu %(name)s.") % {"name": name}
    except ValidationError as exc:
        errors = _errors(exc)
    if request.htmx:
        assessment.refresh_from_db()
        return _leaf_fragment(request, assessment, node, errors, notice=notice, status=200)
    for e in errors:
        messages.error(request, e)
    if notice:
        messages.success(request, notice)
    return redirect(reverse("assessments:detail", args=[assessment.pk]) + f"#leaf-{node.pk}")


@login_required
@require_POST
def assessment_action(request, assessment_id: int):
    """A workflow action (``workflow.STEPS``) from the page's buttons; the confirmed ones first
    show what will happen."""
    assessment, access = get_assessment_for_user(request.user, assessment_id)
    action = request.POST.get("action", "")
    if action not in workflow.OFFERED_ACTIONS:
        raise Http404
    step = workflow.step(action)
    if not getattr(access, step.capability):
        raise PermissionDenied
    note = request.POST.get("note", "")
    if step.confirm and request.POST.get("confirm") != "1":
        return _confirm_page(
            request,
            action,
            [assessment],
            form_action=reverse("assessments:action", args=[assessment.pk]),
            back=reverse("assessments:detail", args=[assessment.pk]),
            note=note,
        )
    try:
        # the reopen reason is the page's note; the finalise override reason its own field
        services.perform(
            action, assessment, user=request.user, note=note, reason=request.POST.get("override_reason", "")
        )
        messages.success(request, str(step.done))
    except ValidationError as exc:
        for e in _errors(exc):
            messages.error(request, e)
    return redirect("assessments:detail", assessment.pk)
