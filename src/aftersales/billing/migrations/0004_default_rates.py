"""Default labour rates per engineer grade and travel fees per region class (CNY), editable in the admin."""

from decimal import Decimal

from django.db import migrations

LABOUR = {1: "80.00", 2: "100.00", 3: "120.00", 4: "150.00", 5: "180.00"}
TRAVEL = {1: "50.00", 2: "150.00", 3: "300.00"}


def install(apps, schema_editor):
    LabourRate = apps.get_model("billing", "LabourRate")
    TravelFee = apps.get_model("billing", "TravelFee")
    for grade, rate in LABOUR.items():
        LabourRate.objects.get_or_create(grade=grade, defaults={"hourly_rate": Decimal(rate), "currency": "CNY"})
    for region_class, fee in TRAVEL.items():
        TravelFee.objects.get_or_create(region_class=region_class, defaults={"fee": Decimal(fee), "currency": "CNY"})


def remove(apps, schema_editor):
    # Reversible: drop only rows still at their default values (edited rates are someone's decision; keep them).
    LabourRate = apps.get_model("billing", "LabourRate")
    TravelFee = apps.get_model("billing", "TravelFee")
    for grade, rate in LABOUR.items():
        LabourRate.objects.filter(grade=grade, hourly_rate=Decimal(rate), version=1).delete()
    for region_class, fee in TRAVEL.items():
        TravelFee.objects.filter(region_class=region_class, fee=Decimal(fee), version=1).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("billing", "0003_quotes_rates_payments"),
    ]

    operations = [migrations.RunPython(install, remove)]
