"""The unit picker: search-as-you-type over the units the user can see."""

from __future__ import annotations

import unicodedata

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cchc.orgs.access import scope_for
from cchc.orgs.models import OrgUnit

MAX_RESULTS = 20


def fold(text: str) -> str:
    """Lower case without Vietnamese diacritics: ``"Phường Đồng Xuân"`` → ``"phuong dong xuan"``."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def search_units(user, q: str, type_code: str = "", limit: int = MAX_RESULTS) -> list[dict]:
    """Units visible to ``user`` whose code or name contains every word of ``q``, accents and
    case ignored. Exact code matches first, then code/name prefixes, then the rest by name.

    The scope and type filters run in SQL; the accent-insensitive match runs in Python over
    (id, code, name) tuples only, which stays in the low milliseconds for the ~3,300 communes
    of the whole country."""
    words = fold(q).split()
    if not words:
        return []
    units = OrgUnit.objects.filter(scope_for(user).unit_q())
    if type_code:
        units = units.filter(unit_type__code=type_code)
    matches = []
    for pk, code, name, tcode, tname, parent in units.values_list(
        "pk", "code", "name", "unit_type__code", "unit_type__name", "parent__name"
    ):
        fcode, fname = fold(code), fold(name)
        haystack = f"{fcode} {fname}"
        if all(w in haystack for w in words):
            first = words[0]
            rank = (
                0 if fcode == first else 1 if fcode.startswith(first) else 2 if fname.startswith(first) else 3
            )
            if rank == 3 and f" {first}" in f" {fname}":
                rank = 2  # a word of the name starts with the query
            matches.append((rank, fname, code, pk, name, tcode, tname, parent))
    matches.sort()
    return [
        {"id": pk, "code": code, "name": name, "type": tcode, "type_name": tname, "parent": parent or ""}
        for _rank, _f, code, pk, name, tcode, tname, parent in matches[:limit]
    ]


@login_required
@require_GET
def unit_search(request):
    # The picker's text input is named ``<name>_q`` (so that several pickers fit in one form).
    target = request.GET.get("target", "")[:60]
    q = (request.GET.get("q") or request.GET.get(f"{target}_q", ""))[:100]
    results = search_units(request.user, q, request.GET.get("type", "")[:40])
    if request.GET.get("format") == "json":
        return JsonResponse({"q": q, "results": results})
    return render(
        request,
        "orgs/_search_results.html",
        {"results": results, "q": q, "target": target},
    )
