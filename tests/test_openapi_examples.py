"""Every API operation is documented: a description, and an example for its JSON request body and for each JSON
success response; every example is valid against the schema the API itself validates and answers with."""

from __future__ import annotations

import jsonschema_rs
import pytest


@pytest.fixture(scope="module")
def document():
    from aftersales.config.api import api

    return api.get_openapi_schema()


def _operations(document):
    for path, item in document["paths"].items():
        for method, op in item.items():
            yield method.upper(), path, op


def _examples(op):
    body = (op.get("requestBody") or {}).get("content", {}).get("application/json")
    if body is not None:
        yield "request", body.get("schema"), body.get("example", body.get("examples"))
    for status, response in op["responses"].items():
        content = (response.get("content") or {}).get("application/json")
        if str(status).startswith("2") and content is not None:
            yield str(status), content.get("schema"), content.get("example")


def test_every_operation_has_a_description_and_examples(document):
    missing = []
    for method, path, op in _operations(document):
        if not (op.get("description") or "").strip():
            missing.append(f"{method} {path}: no description")
        for what, _schema, example in _examples(op):
            if example is None:
                missing.append(f"{method} {path}: no example of its {what} body")
    assert not missing, "\n".join(missing)


def test_every_example_matches_its_schema(document):
    bad = []
    for method, path, op in _operations(document):
        for what, schema, example in _examples(op):
            if example is None or schema is None or isinstance(example, dict) and "value" in example:
                continue
            # the schema with the document's components beside it, so that #/components/... resolves
            validator = jsonschema_rs.validator_for({**schema, "components": document["components"]})
            for error in validator.iter_errors(example):
                bad.append(f"{method} {path} {what}: {error.message[:160]} at {list(error.instance_path)}")
                break
    assert not bad, "\n".join(bad)


def test_the_document_has_one_entry_per_status(document):
    """A JSON object with the key "200" twice is what Swagger UI refused ('duplicated mapping key')."""
    import json

    seen = []

    def hook(pairs):
        keys = [k for k, _ in pairs]
        seen.extend(k for k in set(keys) if keys.count(k) > 1)
        return dict(pairs)

    json.loads(json.dumps(document), object_pairs_hook=hook)
    assert not seen
