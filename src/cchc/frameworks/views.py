"""Framework pages for the secretariat: list (with the shipped frameworks), tree, import
(YAML/XLSX), export, template, and the editor (node, child, leaf deletion, bands, copy).

Any secretariat reads them; changing one is for a secretariat whose scope covers every unit the
framework applies to (``services.require_change``, the one rule ``orgs.access.may_change_shared``)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cchc.core.uploads import upload_problem
from cchc.frameworks import services
from cchc.frameworks.forms import (
    RULE_SHORT_LABELS,
    BandFormSet,
    BaseBandFormSet,
    CopyForm,
    DecimalText,
    NewNodeForm,
    NodeForm,
)
from cchc.frameworks.io import FrameworkFormatError, dump_yaml, export_document, write_xlsx
from cchc.frameworks.models import Framework, Node
from cchc.frameworks.tree import build_tree
from cchc.orgs.access import may_change_shared, scope_for
from cchc.orgs.models import Role

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FRAMEWORK_XLSX_MAX_BYTES = 5 * 1024 * 1024  # a framework workbook is a few hundred rows


def _require_secretariat(user) -> None:
    if not scope_for(user).has(Role.SECRETARIAT):
        raise PermissionDenied


def _require_change(user, framework: Framework) -> None:
    services.require_change(user, framework)


def _list_context(user, **extra) -> dict:
    frameworks = list(Framework.objects.prefetch_related("unit_types"))
    for f in frameworks:
        f.can_edit = services.may_change_framework(user, f)  # type: ignore[attr-defined]  # for the template
    return {
        "frameworks": frameworks,
        "shipped": services.shipped_frameworks(),
        # Importing a file or a shipped framework: a province-wide secretariat (the file's unit
        # types are checked again by the import).
        "can_import": may_change_shared(user),
        **extra,
    }


def _messages(exc: ValidationError) -> list[str]:
    return list(exc.messages)


@login_required
def framework_list(request):
    _require_secretariat(request.user)
    if request.method == "POST":
        uploaded = request.FILES.get("file")
        suffix = Path(uploaded.name).suffix.lower() if uploaded else ""
        if uploaded is not None and suffix not in {".yaml", ".yml", ".xlsx"}:
            messages.error(request, _("Hãy chọn tệp YAML hoặc XLSX."))
            return redirect("frameworks:list")
        limit = settings.CCHC_MAX_YAML_BYTES if suffix in {".yaml", ".yml"} else FRAMEWORK_XLSX_MAX_BYTES
        if problem := upload_problem(request, uploaded, max_bytes=limit):
            messages.error(request, problem)
            return redirect("frameworks:list")
        with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
            for chunk in uploaded.chunks():
                tmp.write(chunk)
            tmp.flush()
            try:
                framework, created = services.import_framework(tmp.name, user=request.user)
            except FrameworkFormatError as exc:
                return render(
                    request,
                    "frameworks/list.html",
                    _list_context(request.user, problems=exc.problems),
                    status=422,
                )
        messages.success(request, _("Đã nhập bộ chỉ số %(code)s.") % {"code": framework.code})
        return redirect("frameworks:detail", framework.code)
    return render(request, "frameworks/list.html", _list_context(request.user))


@login_required
@require_POST
def framework_import_shipped(request):
    """Import one of the frameworks shipped in src/cchc/data/frameworks/ (same code path as an
    uploaded file)."""
    _require_secretariat(request.user)
    try:
        framework = services.import_shipped(request.POST.get("file", ""), user=request.user)
    except ValidationError as exc:
        return render(
            request, "frameworks/list.html", _list_context(request.user, problems=_messages(exc)), status=422
        )
    messages.success(request, _("Đã nhập bộ chỉ số %(code)s.") % {"code": framework.code})
    return redirect("frameworks:detail", framework.code)


@login_required
def framework_detail(request, code: str):
    _require_secretariat(request.user)
    framework = get_object_or_404(Framework.objects.select_related("previous"), code=code)
    tree = build_tree(framework)
    responsible = dict(
        Node.objects.filter(framework=framework, responsible_unit__isnull=False).values_list(
            "id", "responsible_unit__name"
        )
    )
    guidance = dict(
        Node.objects.filter(framework=framework).exclude(guidance="").values_list("id", "guidance")
    )
    rows = [
        {
            "node": n,
            "guidance": guidance.get(n.id, ""),
            "responsible": responsible.get(n.id, ""),
            "rule_label": RULE_SHORT_LABELS.get((n.rule or {}).get("type", "manual"), "")
            if n.is_leaf
            else "",
        }
        for n in tree.walk()
    ]
    return render(
        request,
        "frameworks/detail.html",
        {
            "framework": framework,
            "rows": rows,
            "tree": tree,
            "locked": services.has_scores(framework),
            "can_edit": services.may_change_framework(request.user, framework),
            "rounds": framework.rounds.order_by("-year"),
            "changes": framework.changes.select_related("by")[:50],
        },
    )


def _node_of(framework: Framework, node_id) -> Node:
    if not str(node_id).isdigit():
        raise Http404
    return get_object_or_404(
        Node.objects.select_related("responsible_unit", "parent"), pk=node_id, framework=framework
    )


def _back_to(framework: Framework, node: Node | None = None) -> str:
    url = reverse("frameworks:detail", args=[framework.code])
    return f"{url}#node-{node.pk}" if node else url


@login_required
def node_edit(request, code: str, node_id: int):
    _require_secretariat(request.user)
    framework = get_object_or_404(Framework, code=code)
    _require_change(request.user, framework)
    node = _node_of(framework, node_id)
    locked = services.has_scores(framework)
    is_leaf = not node.children.exists()
    initial = NodeForm.initial_for(node)
    form = NodeForm(request.POST or None, initial=initial, is_leaf=is_leaf, locked=locked)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.update_node(node, user=request.user, **form.service_fields())
        except ValidationError as exc:
            problems = _messages(exc)
        else:
            messages.success(request, _("Đã lưu tiêu chí %(code)s.") % {"code": node.code})
            return redirect(_back_to(framework, node))
    return render(
        request,
        "frameworks/node_form.html",
        {
            "framework": framework,
            "node": node,
            "form": form,
            "locked": locked,
            "is_leaf": is_leaf,
            "problems": problems,
            "effective_max": build_tree(framework).by_id[node.pk].max_points,
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
def node_add(request, code: str):
    """Add a child under ``?parent=<id>`` (a new field without it)."""
    _require_secretariat(request.user)
    framework = get_object_or_404(Framework, code=code)
    _require_change(request.user, framework)
    parent_id = request.POST.get("parent") or request.GET.get("parent")
    parent = _node_of(framework, parent_id) if parent_id else None
    if services.has_scores(framework):
        raise PermissionDenied(_("Bộ chỉ số đã có điểm chấm: không thêm được tiêu chí."))
    form = NewNodeForm(request.POST or None, initial={"rule_type": "manual"})
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            node = services.add_child(
                framework, parent, user=request.user, code=form.cleaned_data["code"], **form.service_fields()
            )
        except ValidationError as exc:
            problems = _messages(exc)
        else:
            messages.success(request, _("Đã thêm tiêu chí %(code)s.") % {"code": node.code})
            return redirect(_back_to(framework, node))
    return render(
        request,
        "frameworks/node_form.html",
        {
            "framework": framework,
            "parent": parent,
            "form": form,
            "adding": True,
            "is_leaf": True,
            "problems": problems,
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def node_delete(request, code: str, node_id: int):
    _require_secretariat(request.user)
    framework = get_object_or_404(Framework, code=code)
    node = _node_of(framework, node_id)
    try:
        services.delete_leaf(node, user=request.user)
    except ValidationError as exc:
        for problem in _messages(exc):
            messages.error(request, problem)
        return redirect(_back_to(framework, node))
    messages.success(request, _("Đã xoá tiêu chí %(code)s.") % {"code": node.code})
    return redirect(_back_to(framework, node.parent))


@login_required
def bands_edit(request, code: str):
    _require_secretariat(request.user)
    framework = get_object_or_404(Framework, code=code)
    _require_change(request.user, framework)
    locked = services.has_scores(framework)
    prepare = DecimalText().prepare_value
    initial = [
        {
            "code": b.code,
            "name": b.name,
            "min": prepare(b.min_index),
            "min_field_ratio": prepare(b.min_field_ratio),
            "color": b.color,
        }
        for b in framework.bands.order_by("-min_index", "order")
    ]
    formset = cast(BaseBandFormSet, BandFormSet(request.POST or None, initial=initial, prefix="bands"))
    problems: list[str] = []
    if request.method == "POST" and formset.is_valid():
        try:
            services.replace_bands(framework, formset.bands(), user=request.user)
        except ValidationError as exc:
            problems = _messages(exc)
        else:
            messages.success(request, _("Đã lưu xếp loại."))
            return redirect("frameworks:detail", framework.code)
    return render(
        request,
        "frameworks/bands_form.html",
        {"framework": framework, "formset": formset, "locked": locked, "problems": problems},
        status=422 if request.method == "POST" else 200,
    )


@login_required
def framework_copy(request, code: str):
    _require_secretariat(request.user)
    source = get_object_or_404(Framework, code=code)
    services.require_change(request.user, type_codes=source.unit_types.values_list("code", flat=True))
    year = source.year + 1
    form = CopyForm(
        request.POST or None,
        initial={
            "year": year,
            "code": _next_code(source.code, source.year, year),
            "name": source.name.replace(str(source.year), str(year)),
            "link_previous": True,
        },
    )
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            framework = services.copy_framework(
                source,
                user=request.user,
                code=data["code"],
                year=data["year"],
                name=data["name"],
                link_previous=data["link_previous"],
            )
        except ValidationError as exc:
            problems = _messages(exc)
        else:
            messages.success(
                request,
                _("Đã sao chép %(src)s thành %(code)s.") % {"src": source.code, "code": framework.code},
            )
            return redirect("frameworks:detail", framework.code)
    return render(
        request,
        "frameworks/copy_form.html",
        {"framework": source, "form": form, "problems": problems},
        status=422 if request.method == "POST" else 200,
    )


def _next_code(code: str, year: int, new_year: int) -> str:
    return code.replace(str(year), str(new_year)) if str(year) in code else f"{code}-{new_year}"


@login_required
def framework_export(request, code: str, fmt: str):
    _require_secretariat(request.user)
    framework = get_object_or_404(Framework, code=code)
    if fmt == "xlsx":
        response = HttpResponse(content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{framework.code}.xlsx"'
        write_xlsx(framework, response)
        return response
    response = HttpResponse(
        dump_yaml(export_document(framework)), content_type="application/yaml; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{framework.code}.yaml"'
    return response


@login_required
def framework_template(request):
    _require_secretariat(request.user)
    response = HttpResponse(content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="mau-bo-chi-so.xlsx"'
    write_xlsx(None, response)
    return response
