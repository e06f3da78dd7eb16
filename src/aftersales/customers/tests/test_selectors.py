"""Reads of the installed base that other contexts lean on."""

from __future__ import annotations

import pytest

from aftersales.customers.models import ProductModel
from aftersales.customers.selectors import product_models_by_id

pytestmark = pytest.mark.django_db


def test_product_models_are_read_once_and_follow_saves(django_assert_num_queries):
    a = ProductModel.objects.create(code="LSBLG-100", name="螺杆式冷水机组")
    b = ProductModel.objects.create(code="LSBLG-200", name="螺杆式冷水机组")
    with django_assert_num_queries(1):
        assert set(product_models_by_id([a.pk, b.pk, 999_999])) == {a.pk, b.pk}  # an unknown id is left out
    with django_assert_num_queries(0):  # every request page names its unit's model
        assert product_models_by_id([a.pk])[a.pk].code == "LSBLG-100"
    a.name = "离心式冷水机组"
    a.save()  # a save in this process clears the cache
    assert product_models_by_id([a.pk])[a.pk].name == "离心式冷水机组"
    b.delete()
    assert product_models_by_id([b.pk]) == {}
