"""Reference data: China's 34 provincial-level divisions and their prefecture-level cities (GB/T 2260 codes).

The rows live in regions.csv next to this file (code, name, name_en, kind, parent code). Municipalities
(Beijing, Tianjin, Shanghai, Chongqing) have one city row each with their xx0100 code; Hubei's and Henan's
county-level cities directly under the province (Xiantao, Qianjiang, Tianmen, Shennongjia, Jiyuan) are included
because sites and engineers are placed there. Rows that already exist (same code) are left as they are, so the
migration is safe on a database where someone entered regions by hand. Reversing removes only the rows this
migration would have added and that nothing references.
"""

import csv
from pathlib import Path

from django.db import migrations
from django.db.models import ProtectedError

DATA = Path(__file__).with_name("regions.csv")


def _rows():
    with DATA.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load(apps, schema_editor):
    Region = apps.get_model("core", "Region")
    db = schema_editor.connection.alias
    rows = _rows()
    existing = set(Region.objects.using(db).values_list("code", flat=True))
    Region.objects.using(db).bulk_create([
        Region(code=r["code"], name=r["name"], name_en=r["name_en"], kind=r["kind"])
        for r in rows if r["kind"] == "province" and r["code"] not in existing
    ])
    provinces = dict(Region.objects.using(db).filter(kind="province").values_list("code", "id"))
    Region.objects.using(db).bulk_create([
        Region(code=r["code"], name=r["name"], name_en=r["name_en"], kind=r["kind"], parent_id=provinces[r["parent"]])
        for r in rows if r["kind"] == "city" and r["code"] not in existing
    ])


def unload(apps, schema_editor):
    Region = apps.get_model("core", "Region")
    db = schema_editor.connection.alias
    rows = _rows()
    for kind in ("city", "province"):
        for code in [r["code"] for r in rows if r["kind"] == kind]:
            try:
                Region.objects.using(db).filter(code=code).delete()
            except ProtectedError:
                pass  # still used by a site, a request or a user: keep it


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load, unload),
    ]
