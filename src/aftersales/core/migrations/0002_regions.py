"""Reference data: China's 34 provincial-level divisions and their prefecture-level cities (GB/T 2260 codes).

The rows live in regions.csv next to this file (code, name, name_en, kind, parent code). Municipalities
(Beijing, Tianjin, Shanghai, Chongqing) have one city row each with their xx0100 code; Hubei's and Henan's
county-level cities directly under the province (Xiantao, Qianjiang, Tianmen, Shennongjia, Jiyuan) are included
because sites and engineers are placed there. Rows that already exist (same code) are left as they are, so the
migration is safe on a database where someone entered regions by hand. Reversing removes the rows this migration
adds, except those that a record still references (those are kept).
"""

import csv
from pathlib import Path

from django.db import migrations

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


def _in_use(schema_editor, table):
    """Ids of regions that some row (a site, a request, a user, a child region) still points at.

    Read from the database's own foreign keys: at this point of a backwards migration the historical models of
    later apps (customers, servicedesk) are not in the migration state, so the ORM cannot see them.
    """
    connection = schema_editor.connection
    quote = schema_editor.quote_name
    used = set()
    with connection.cursor() as cursor:
        for info in connection.introspection.get_table_list(cursor):
            if info.type != "t":
                continue
            for column, (_target_column, target_table) in connection.introspection.get_relations(
                    cursor, info.name).items():
                if target_table == table:
                    cursor.execute(f"SELECT DISTINCT {quote(column)} FROM {quote(info.name)} "  # noqa: S608
                                   f"WHERE {quote(column)} IS NOT NULL")
                    used.update(row[0] for row in cursor.fetchall())
    return used


def unload(apps, schema_editor):
    Region = apps.get_model("core", "Region")
    db = schema_editor.connection.alias
    rows = _rows()
    for kind in ("city", "province"):  # cities first: a province is in use while it has children
        codes = [r["code"] for r in rows if r["kind"] == kind]
        Region.objects.using(db).filter(code__in=codes).exclude(pk__in=_in_use(schema_editor, Region._meta.db_table)).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load, unload),
    ]
