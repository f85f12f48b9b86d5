"""Fixtures of the H6 (surveys core) tests: the shipped questionnaires and a writer for paper-form files."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command

from cchc.surveys.io import shipped_path
from cchc.surveys.models import Questionnaire


@pytest.fixture
def sipas(db) -> Questionnaire:
    call_command("import_questionnaire", str(shipped_path("sipas-dich-vu")), stdout=io.StringIO())
    return Questionnaire.objects.get(code="SIPAS-DV", version=1)


@pytest.fixture
def write_csv(tmp_path):
    """write_csv(rows, name="forms.csv", header=None) → path; rows are dicts (header = union of keys
    in order, fixed columns first)."""

    def write(rows: list[dict], name: str = "forms.csv", header: list[str] | None = None) -> Path:
        if header is None:
            header = ["form_no", "unit_code", "submitted_at"]
            for row in rows:
                header += [k for k in row if k not in header]
        path = tmp_path / name
        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=header)
            writer.writeheader()
            writer.writerows(rows)
        return path

    return write
