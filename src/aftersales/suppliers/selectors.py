"""Reads of suppliers: company-wide, for everyone who sees stock."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from .models import Supplier


def suppliers_for(user: Any) -> QuerySet[Supplier]:
    return Supplier.objects.all()


def search(qs: QuerySet[Supplier], query: str) -> QuerySet[Supplier]:
    query = query.strip()
    if query:
        qs = qs.filter(Q(code__icontains=query) | Q(name__icontains=query) | Q(contact_name__icontains=query))
    return qs.order_by("name", "id")
