"""No view writes a model itself: the pages and the API call the services (which check, audit
and keep every write atomic). Read from the source, so that a new view cannot slip one in."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import cchc

SRC = Path(cchc.__file__).parent
ENTRY_POINTS = [
    "assessments/views.py",
    "api/api.py",
    "api/assessments.py",
    "api/frameworks.py",
    "api/results.py",
    "api/units.py",
]
# Model and queryset writes. ``update`` and ``delete`` count only on a queryset or a manager
# (``Round.objects.filter(…).update(…)``), not on a dict or a set.
ALWAYS = {"save", "create", "bulk_create", "bulk_update", "get_or_create", "update_or_create", "delete"}
ON_QUERYSETS = {"update"}
QUERYSET_CALLS = {"objects", "filter", "exclude", "all", "select_for_update", "select_related", "order_by"}


def writes(path: Path) -> list[str]:
    """The model writes called in a module, as ``line .name()``."""
    found = []
    for n in ast.walk(ast.parse(path.read_text(), str(path))):
        if not (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)):
            continue
        name, receiver = n.func.attr, n.func.value
        if isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Attribute):
            receiver_name = receiver.func.attr
        elif isinstance(receiver, ast.Attribute):
            receiver_name = receiver.attr
        else:
            receiver_name = ""
        if name in ALWAYS or (name in ON_QUERYSETS and receiver_name in QUERYSET_CALLS):
            found.append(f"{path.name}:{n.lineno} .{name}()")
    return found


@pytest.mark.parametrize("module", ENTRY_POINTS)
def test_no_model_write_in_a_view(module):
    assert writes(SRC / module) == []


def test_the_check_sees_a_write(tmp_path):
    sample = tmp_path / "views.py"
    sample.write_text(
        "def v(request, r):\n"
        "    r.deadline = None\n"
        "    r.save(update_fields=['deadline'])\n"
        "    Round.objects.filter(pk=1).update(deadline=None)\n"
        "    Score.objects.create(node=None)\n"
        "    seen = set()\n"
        "    seen.update([1])\n"
    )
    assert writes(sample) == ["views.py:3 .save()", "views.py:4 .update()", "views.py:5 .create()"]
