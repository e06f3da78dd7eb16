"""REST endpoints for CSV/XLSX imports: upload and check, read the preview, confirm or discard.

Thin: the checks and writes live in `customers/imports.py`; reasons come back in the caller's language.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from aftersales.core.api import Problem, get_or_404, needs
from aftersales.core.permissions import IMPORT_CUSTOMERS, require

from . import imports
from .choices import ImportKind
from .models import ImportBatch

router = Router(tags=["imports"])


class ImportRowError(Schema):
    row: int = Field(examples=[7])
    column: str = Field(examples=["序列号"])
    code: str = Field(examples=["duplicate_serial_db"])
    reason: str = Field(examples=["Serial number SN0001 is already registered for this model."])


class ImportBatchOut(Schema):
    id: int
    kind: str = Field(examples=["equipment"])
    state: str = Field(description="preview (awaiting confirmation), applied or discarded", examples=["preview"])
    file_name: str
    created_at: dt.datetime
    total_rows: int = Field(description="Data rows in the file (blank rows are skipped).")
    valid_rows: int = Field(description="Rows that confirming will import.")
    applied_rows: int = Field(description="Rows imported by the confirmation (0 until confirmed).")
    summary: dict[str, int] = Field(description="What confirming creates: new_customers, new_sites, new_contacts, "
                                                "existing_customers, or new_equipment.")
    errors: list[ImportRowError] = Field(description="Every bad row: row number in the file, column and reason.")
    preview: list[dict[str, Any]] = Field(description="The first valid rows, normalised.")


def _out(batch: ImportBatch) -> dict[str, Any]:
    return {
        "id": batch.pk, "kind": batch.kind, "state": batch.state, "file_name": batch.file_name,
        "created_at": batch.created_at, "total_rows": batch.total_rows, "valid_rows": len(batch.valid_rows),
        "applied_rows": batch.applied_rows, "summary": imports.batch_summary(batch),
        "errors": [{"row": e["row"], "column": e["column"], "code": e["code"], "reason": e["reason"]}
                   for e in imports.error_rows(batch)],
        "preview": batch.valid_rows[:imports.PREVIEW_ROWS],
    }


ERRORS = {400: Problem, 403: Problem, 404: Problem, 409: Problem, 413: Problem, 422: Problem}


@router.post("/imports", auth=needs(IMPORT_CUSTOMERS), response={201: ImportBatchOut, **ERRORS}, summary="Upload and check an import file",
             description="Upload a CSV (UTF-8 with or without BOM, or GB18030) or XLSX file of `customers` "
                         "(customer, site and contact columns) or `equipment` (customer name or code, site, model, "
                         "serial, dates). Headers may be English or Chinese. Every row is checked and nothing is "
                         "written: the answer lists the bad rows with reasons. Confirm with "
                         "`POST /imports/{id}/confirm`. Files over 20 MB answer 413.")
def import_create(request: HttpRequest, kind: Form[ImportKind], file: File[UploadedFile]) -> Status:
    batch = imports.import_preview(actor=request.auth, kind=kind, upload=file)
    return Status(201, _out(batch))


@router.get("/imports/{import_id}", auth=needs(IMPORT_CUSTOMERS), response={200: ImportBatchOut, **ERRORS}, summary="Read an import",
            description="The preview of an uploaded file: counts, bad rows with reasons, the first valid rows.")
def import_get(request: HttpRequest, import_id: int) -> Any:
    require(request.auth, IMPORT_CUSTOMERS)
    return _out(get_or_404(imports.import_batches_for(request.auth), import_id))


@router.post("/imports/{import_id}/confirm", auth=needs(IMPORT_CUSTOMERS), response={200: ImportBatchOut, **ERRORS},
             summary="Import the valid rows",
             description="Writes every valid row in one transaction, or nothing. A batch already confirmed or "
                         "discarded answers 409 `import_not_pending`; data changed since the preview answers 409 "
                         "`import_outdated`.")
def import_confirm(request: HttpRequest, import_id: int) -> Any:
    require(request.auth, IMPORT_CUSTOMERS)
    batch = get_or_404(imports.import_batches_for(request.auth), import_id)
    return _out(imports.import_confirm(actor=request.auth, batch=batch))


@router.post("/imports/{import_id}/discard", auth=needs(IMPORT_CUSTOMERS), response={200: ImportBatchOut, **ERRORS},
             summary="Discard an import", description="Drops a previewed import without writing any of its rows.")
def import_discard(request: HttpRequest, import_id: int) -> Any:
    require(request.auth, IMPORT_CUSTOMERS)
    batch = get_or_404(imports.import_batches_for(request.auth), import_id)
    return _out(imports.import_discard(actor=request.auth, batch=batch))
