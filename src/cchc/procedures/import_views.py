"""Import pages: the secretariat uploads a dossier export (or the procedure catalogue); a
background job imports it and this page polls its progress (htmx, no inline script).

Dossiers are loaded only for the units in the uploader's secretariat scope (checked row by row
by the job). The procedure catalogue is shared by the whole province: only a secretariat whose
scope covers it (``orgs.access.may_change_shared``) may upload it."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cchc.core.importing import too_large_message
from cchc.core.uploads import upload_problem
from cchc.orgs.access import may_change_shared, scope_for, units_for
from cchc.orgs.models import Role
from cchc.procedures.jobs import fail_stale_jobs, may_start_import
from cchc.procedures.models import ImportJob, ImportKind
from cchc.procedures.tasks import retry_import_job, start_import_job

ALLOWED_SUFFIXES = {".csv", ".xlsx", ".jsonl", ".ndjson", ".json"}


def _require_secretariat(user) -> None:
    if not scope_for(user).has(Role.SECRETARIAT):
        raise PermissionDenied


def import_kinds(user) -> list[tuple[str, str]]:
    """The kinds of data ``user`` may upload: dossiers for any secretariat, the shared procedure
    catalogue only for one covering the whole province."""
    if may_change_shared(user):
        return list(ImportKind.choices)
    return [(value, label) for value, label in ImportKind.choices if value != ImportKind.PROCEDURES]


def jobs_for(user):
    """The import jobs a user may see: their own, and those of units in their secretariat scope."""
    scope = scope_for(user)
    if scope.superuser:
        return ImportJob.objects.all()
    return ImportJob.objects.filter(Q(created_by=user) | scope.unit_q(Role.SECRETARIAT, prefix="unit__"))


def get_job_for_user(user, job_id: int) -> ImportJob:
    """The job, after checking its worker is still alive (a dead one is marked failed here)."""
    _require_secretariat(user)
    visible = jobs_for(user).filter(pk=job_id)
    fail_stale_jobs(visible)
    job = visible.select_related("created_by", "unit").first()
    if job is None:
        raise Http404
    return job


def _job_context(user, job: ImportJob) -> dict:
    return {
        "job": job,
        "errors": job.errors.splitlines(),
        "may_retry": job.status == "failed" and may_start_import(user, job.kind),
    }


@login_required
@require_http_methods(["GET", "POST"])
def import_list(request):
    _require_secretariat(request.user)
    problems = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        mapping = request.FILES.get("mapping")
        kind = request.POST.get("kind", ImportKind.DOSSIERS)
        if kind not in ImportKind.values:
            problems.append(_("Loại dữ liệu không hợp lệ."))
        elif kind == ImportKind.PROCEDURES and not may_change_shared(request.user):
            raise PermissionDenied(
                _(
                    "Danh mục thủ tục hành chính dùng chung cho cả tỉnh: chỉ Thường trực CCHC cấp "
                    "tỉnh mới được nhập."
                )
            )
        if upload is not None and Path(upload.name).suffix.lower() not in ALLOWED_SUFFIXES:
            problems.append(_("Tệp phải là CSV, XLSX hoặc JSON lines."))
        elif problem := upload_problem(request, upload):
            problems.append(problem)
        if mapping is not None and Path(mapping.name).suffix.lower() not in {".yaml", ".yml"}:
            problems.append(_("Tệp ánh xạ cột phải là YAML."))
        elif mapping is not None and mapping.size > settings.CCHC_MAX_YAML_BYTES:
            problems.append(
                _("Tệp ánh xạ cột: %(why)s.")
                % {"why": too_large_message(mapping.size, settings.CCHC_MAX_YAML_BYTES)}
            )
        if not problems:
            unit = units_for(request.user, Role.SECRETARIAT).order_by("depth", "pk").first()
            job = start_import_job(
                user=request.user,
                unit=unit,
                upload=upload,
                mapping=mapping,
                skip_bad_rows=request.POST.get("skip_bad_rows") == "1",
                kind=kind,
            )
            return redirect("procedures:import_detail", job_id=job.pk)
    fail_stale_jobs(jobs_for(request.user))
    jobs = jobs_for(request.user).select_related("created_by", "unit")[:50]
    return render(
        request,
        "procedures/imports.html",
        {"jobs": jobs, "problems": problems, "kinds": import_kinds(request.user)},
        status=400 if problems else 200,
    )


@login_required
def import_detail(request, job_id: int):
    job = get_job_for_user(request.user, job_id)
    return render(request, "procedures/imports_detail.html", _job_context(request.user, job))


@login_required
def import_progress(request, job_id: int):
    job = get_job_for_user(request.user, job_id)
    return render(request, "procedures/imports_progress.html", _job_context(request.user, job))


@login_required
@require_http_methods(["POST"])
def import_retry(request, job_id: int):
    """Run a failed job again (same file, same options), as a new job: whoever may start such an
    import may retry it."""
    job = get_job_for_user(request.user, job_id)
    if not may_start_import(request.user, job.kind):
        raise PermissionDenied
    if job.status != "failed":
        return render(
            request,
            "procedures/imports_detail.html",
            {
                **_job_context(request.user, job),
                "problem": _("Chỉ chạy lại được lượt nhập không thành công."),
            },
            status=409,
        )
    new = retry_import_job(job, user=request.user)
    return redirect("procedures:import_detail", job_id=new.pk)
