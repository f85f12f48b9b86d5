"""Benchmark data: the whole country at commune level — 3,300 communes, a 100-leaf framework
(10 fields × 10 leaves), one assessment per commune with a self and an appraised score per leaf.

Writes into the database named by DATABASE_URL (run.py points it at a fresh SQLite file)."""

from __future__ import annotations

import os
import random
import sys
import time
from decimal import Decimal

UNITS = int(os.environ.get("BENCH_UNITS", "3300"))
FIELDS, LEAVES_PER_FIELD = 10, 10


def generate() -> dict[str, float]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from cchc.assessments.models import Assessment, Round, Score, Status
    from cchc.frameworks.io import STANDARD_BANDS, save_document
    from cchc.orgs.models import OrgUnit, UnitType

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    rng = random.Random(766)
    with transaction.atomic():
        commune = UnitType.objects.get(code="commune")
        province = OrgUnit.objects.create(
            code="VN", name="Việt Nam (bench)", unit_type=UnitType.objects.get(code="province")
        )
        OrgUnit.objects.bulk_create(
            [
                OrgUnit(
                    code=f"X{i:05d}",
                    name=f"Xã {i:05d}",
                    unit_type=commune,
                    parent=province,
                    depth=1,
                    path=f"{province.path}x{i}/",
                )
                for i in range(UNITS)
            ],
            batch_size=2000,
        )
        doc = {
            "code": "BENCH-XA",
            "name": "Bench",
            "year": 2025,
            "unit_types": ["commune"],
            "bands": STANDARD_BANDS,
            "nodes": [
                {
                    "code": str(f),
                    "name": f"Lĩnh vực {f}",
                    "children": [
                        {
                            "code": f"{f}.{i}",
                            "name": f"Tiêu chí {f}.{i}",
                            "max": 1,
                            "rule": {"type": "manual"},
                        }
                        for i in range(1, LEAVES_PER_FIELD + 1)
                    ],
                }
                for f in range(1, FIELDS + 1)
            ],
        }
        framework, _ = save_document(doc)
        round_obj = Round.objects.create(framework=framework, year=2025)
        units = list(OrgUnit.objects.filter(unit_type=commune).values_list("id", flat=True))
        Assessment.objects.bulk_create(
            [Assessment(round=round_obj, unit_id=u, status=Status.FINALISED) for u in units], batch_size=2000
        )
        leaves = list(framework.nodes.filter(children__isnull=True).values_list("id", flat=True))
        quarter = [Decimal(q) / 4 for q in range(5)]
        batch = []
        for a in Assessment.objects.filter(round=round_obj).values_list("id", flat=True):
            for leaf in leaves:
                s = quarter[rng.choice((2, 3, 4, 4, 4))]
                batch.append(
                    Score(
                        assessment_id=a,
                        node_id=leaf,
                        self_score=s,
                        appraised_score=s if rng.random() < 0.8 else quarter[rng.randint(0, 4)],
                    )
                )
            if len(batch) >= 50000:
                Score.objects.bulk_create(batch, batch_size=5000)
                batch = []
        Score.objects.bulk_create(batch, batch_size=5000)
    return {
        "seconds": time.perf_counter() - started,
        "units": UNITS,
        "scores": UNITS * FIELDS * LEAVES_PER_FIELD,
    }


if __name__ == "__main__":
    info = generate()
    print(
        f"generated {info['units']} units, {info['scores']} scores in {info['seconds']:.1f} s",
        file=sys.stderr,
    )
