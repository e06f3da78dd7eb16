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


def test_intake_finds_a_customer_by_its_contact_s_name(users, city):
    """The caller gives his own name ("I'm 吴俊 from the data centre"), not the company's."""
    from aftersales.core.testing import make_customer, make_site
    from aftersales.customers import services
    from aftersales.customers.selectors import intake_search

    admin = users["admin"]
    centre = make_customer(name="郑州中原云数据中心有限公司", actor=admin)
    site = make_site(customer=centre, city=city, actor=admin)
    services.contact_create(actor=admin, customer=centre, name="吴俊", phone="13912345678", site=site)
    make_customer(name="武汉卓成机电有限公司", actor=admin)
    matches = intake_search(users["agent"], "吴俊")
    assert [m.customer.pk for m in matches] == [centre.pk]
    assert "contact" in matches[0].reasons and [c.name for c in matches[0].contacts] == ["吴俊"]
