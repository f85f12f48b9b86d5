"""Framework pages for the secretariat: list, tree, import (YAML/XLSX), export, template."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from cchc.frameworks.io import FrameworkFormatError, dump_yaml, export_document, import_file, write_xlsx
from cchc.frameworks.models import Framework
from cchc.frameworks.tree import build_tree
from cchc.orgs.access import scope_for
from cchc.orgs.models import Role

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_secretariat(user) -> None:
    if not scope_for(user).has(Role.SECRETARIAT):
        raise PermissionDenied


@login_required
def framework_list(request):
    _require_secretariat(request.user)
    if request.method == "POST":
        uploaded = request.FILES.get("file")
        suffix = Path(uploaded.name).suffix.lower() if uploaded else ""
        if uploaded is None or suffix not in {".yaml", ".yml", ".xlsx"}:
            messages.error(request, _("Hãy chọn tệp YAML hoặc XLSX."))
            return redirect("frameworks:list")
        if uploaded.size > 5 * 1024 * 1024:
            messages.error(request, _("Tệp quá lớn (tối đa 5 MB)."))
            return redirect("frameworks:list")
        with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
            for chunk in uploaded.chunks():
                tmp.write(chunk)
            tmp.flush()
            try:
                framework, created = import_file(tmp.name)
            except FrameworkFormatError as exc:
                return render(
                    request,
                    "frameworks/list.html",
                    {"frameworks": Framework.objects.all(), "problems": exc.problems},
                    status=422,
                )
        messages.success(request, _("Đã nhập bộ chỉ số %(code)s.") % {"code": framework.code})
        return redirect("frameworks:detail", framework.code)
    return render(
        request, "frameworks/list.html", {"frameworks": Framework.objects.prefetch_related("unit_types")}
    )


@login_required
def framework_detail(request, code: str):
    _require_secretariat(request.user)
    framework = get_object_or_404(Framework, code=code)
    tree = build_tree(framework)
    return render(
        request, "frameworks/detail.html", {"framework": framework, "nodes": list(tree.walk()), "tree": tree}
    )


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
