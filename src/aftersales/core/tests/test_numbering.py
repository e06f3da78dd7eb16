"""Readable numbers: per prefix and year, starting at 1, increasing, never handed out twice."""

from __future__ import annotations

import pytest
from django.db import transaction

from aftersales.core.numbering import next_number, next_value
from aftersales.core.testing import race


@pytest.mark.django_db
def test_numbers_start_at_one_and_count_per_prefix_and_year():
    assert next_number("TQ", 2031) == "TQ-2031-000001"
    assert next_number("TQ", 2031) == "TQ-2031-000002"
    assert next_number("TQ", 2032) == "TQ-2032-000001"
    assert next_number("TR", 2031, width=4) == "TR-2031-0001"
    assert next_number("TQ", 2031) == "TQ-2031-000003"


@pytest.mark.django_db
def test_a_rolled_back_number_is_not_reused_nor_does_it_break_the_counter():
    first = next_value("TX_2031")
    with pytest.raises(RuntimeError), transaction.atomic():
        next_value("TX_2031")
        raise RuntimeError
    # SQLite's counter row rolls back with the transaction (the number comes again); PostgreSQL's sequence does
    # not (a gap). Either way the next number is larger than every committed one.
    assert next_value("TX_2031") > first


@pytest.mark.django_db
def test_unsafe_keys_are_refused():
    with pytest.raises(ValueError):
        next_value("SR_2026; DROP TABLE x")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_writers_never_get_the_same_number():
    def take():
        with transaction.atomic():
            return [next_value("TW_2031") for _ in range(20)]

    results = race(take, take)
    assert all(isinstance(r, list) for r in results), results
    numbers = results[0] + results[1]
    assert len(set(numbers)) == 40 and sorted(numbers) == list(range(min(numbers), min(numbers) + 40))
