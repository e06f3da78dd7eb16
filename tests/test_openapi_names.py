"""Every API schema has its own name: OpenAPI components are keyed by class name, so two schemas of one name
silently share one definition and one of them is documented (and validated) wrongly."""

from __future__ import annotations

from collections import defaultdict

from ninja import Schema


def _subclasses(cls: type) -> list[type]:
    out = []
    for sub in cls.__subclasses__():
        out.append(sub)
        out.extend(_subclasses(sub))
    return out


def test_schema_class_names_are_unique():
    from aftersales.config.api import api

    api.get_openapi_schema()  # imports every router and its schemas
    by_name: dict[str, set[str]] = defaultdict(set)
    for cls in _subclasses(Schema):
        if cls.__module__.startswith("aftersales."):
            by_name[cls.__name__].add(cls.__module__)
    clashes = {name: sorted(mods) for name, mods in by_name.items() if len(mods) > 1}
    assert not clashes, f"schema names used in more than one module: {clashes}"
