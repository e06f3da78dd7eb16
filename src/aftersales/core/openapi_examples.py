"""Examples for every operation of the OpenAPI document.

Request bodies whose operation declares no example, and every JSON success response, get one built from the
schema itself: each property's own example (the schemas give realistic values with `Field(examples=[...])`), its
default, its first allowed value, or a value of its type and format. The examples therefore always match the
schema the API validates against. An operation's hand-written request example is kept as written.
"""

from __future__ import annotations

from typing import Any

# Values by property name, for properties whose schema gives no example of its own.
BY_NAME: dict[str, Any] = {
    "id": 42, "version": 3, "number": "SR-2026-000123", "name": "武汉卓成置业光谷国际大厦物业管理处",
    "display_name": "王建国", "username": "engineer", "phone": "027-8765 4321", "mobile": "139-0710-3388",
    "email": "service@example.com", "address": "武汉市洪山区珞喻路 889 号光谷国际大厦", "code": "KH-0001",
    "title": "中央空调冷水机组年度维保", "summary": "冷水机组高压报警停机", "symptom": "开机 10 分钟后高压报警，停机。",
    "description": "冷却塔风机异响，振动明显。", "serial": "LS24030012", "note": "与张经理电话确认", "notes": "",
    "reason": "客户要求改期", "comment": "服务及时", "caption": "冷凝器铜管结垢（清洗前）", "label": "武汉市",
    "currency": "CNY", "language": "zh-hans", "time_zone": "Asia/Shanghai", "url": "/requests/42/",
    "count": 1, "count_exact": True, "page": 1, "page_size": 25, "pages": 1, "token": "3f9c…e1",
    "detail": "", "type": "urn:aftersales:problem:validation_failed", "name_en": "Wuhan",
    "diagnosis": "冷凝器结垢严重，换热效率下降", "fault_cause": "冷却水水质差，未定期处理",
    "actions_taken": "化学清洗冷凝器；更换密封圈；复测运行压力正常", "resolution": "清洗冷凝器后运行正常",
    "instructions": "携带冷媒回收机和压力表", "appointment_note": "与张经理电话确认", "usage_scenario": "夏季满负荷运行",
    "contact_name": "张建华", "contact_phone": "139-0710-3388", "takeback_item": "控制主板",
    "takeback_serial": "CB-2024-0098", "takeback_condition": "外观完好，无附件", "signer_name": "张建华",
    "location": "B2 冷冻机房 1 号机", "unit": "个", "mime_type": "image/jpeg",
}
# The same property name under a parent: an engineer's name is a person's, a site's a building's.
PEOPLE = {"engineer", "assigned_by", "author", "actor", "created_by", "decided_by", "registered_by", "owner",
          "done_by", "uploaded_by", "recipient", "handled_by", "by", "user"}
BY_PARENT: dict[str, dict[str, Any]] = {
    **{p: {"name": "王建国", "username": "engineer"} for p in PEOPLE},
    "site": {"name": "光谷国际大厦（写字楼）"}, "city": {"name": "武汉市", "code": "420100"},
    "province": {"name": "湖北省", "code": "420000"}, "required_skill": {"name": "冷水机组", "code": "chiller"},
    "product_model": {"name": "LSBLG-1160 螺杆式冷水机组", "code": "LSBLG-1160"},
    "equipment": {"name": "LSBLG-1160 #LS24030012"}, "part": {"name": "风机交流接触器 LC1D32", "code": "CH-CT-3211"},
    "contact": {"name": "张建华"}, "fault_category": {"name": "制冷 › 压缩机 › 高压报警", "code": "refrig-hp"},
    "location": {"name": "中心仓库", "code": "WH-01"}, "vendor": {"name": "武汉恒通机电维修有限公司"},
    "supplier": {"name": "武汉恒通机电维修有限公司"}, "request": {"number": "SR-2026-000123"},
    "work_order": {"number": "WO-2026-000042"},
}
BY_FORMAT = {"date": "2026-03-01", "date-time": "2026-03-01T09:30:00+08:00", "email": "service@example.com",
             "uri": "https://service.example.com/", "decimal": "128.00", "uuid": "0b5c2f6e-1d2a-4c3b-9e8f-7a6b5c4d3e2f"}
MAX_DEPTH = 12


def _first(values: Any) -> Any:
    return values[0] if isinstance(values, list) and values else values


def example_of(node: dict[str, Any], components: dict[str, Any], name: str = "", depth: int = 0,
               parent: str = "") -> Any:
    """An example value for a JSON-schema node (resolving `$ref`s into `components`)."""
    if depth > MAX_DEPTH or not isinstance(node, dict):
        return None
    if "example" in node:
        return node["example"]
    if node.get("examples"):
        return _first(node["examples"])
    if "$ref" in node:
        target = components.get(node["$ref"].rsplit("/", 1)[-1], {})
        return example_of(target, components, name, depth + 1, parent)
    for key in ("allOf", "anyOf", "oneOf"):
        if key in node:
            options = [o for o in node[key] if o.get("type") != "null"] or node[key]
            return example_of(options[0], components, name, depth + 1, parent)
    if "default" in node and node["default"] not in (None, "", [], {}):
        return node["default"]
    if node.get("enum"):
        return node["enum"][0]
    if "const" in node:
        return node["const"]
    kind = node.get("type")
    if kind == "object" or "properties" in node:
        return {prop: example_of(sub, components, prop, depth + 1, parent=name)
                for prop, sub in (node.get("properties") or {}).items()}
    if kind == "array":
        item = example_of(node.get("items", {}), components, name, depth + 1, parent)
        return [] if item is None else [item]
    if name in BY_PARENT.get(parent, {}):
        return BY_PARENT[parent][name]
    if name in BY_NAME:
        return BY_NAME[name]
    if name.endswith("_id"):
        return 7
    if name.endswith("_at"):
        return BY_FORMAT["date-time"]
    if kind == "string":
        return BY_FORMAT.get(node.get("format", ""), node.get("title", name) or "text")
    if kind == "integer":
        return max(node.get("minimum", 1), 1)
    if kind == "number":
        return node.get("minimum", 1.5)
    if kind == "boolean":
        return True
    return None


def add_examples(schema: dict[str, Any]) -> dict[str, Any]:
    """Give every JSON request body and success response of the document an example, and document error
    answers with the media type they are served with, `application/problem+json` (in place)."""
    components = schema.get("components", {}).get("schemas", {})
    for item in schema.get("paths", {}).values():
        for op in item.values():
            if not isinstance(op, dict):
                continue
            _merge_status_keys(op)
            for status, response in (op.get("responses") or {}).items():
                content = response.get("content") or {}
                if str(status)[:1] in "45" and "application/json" in content:
                    content["application/problem+json"] = content.pop("application/json")
            body = (op.get("requestBody") or {}).get("content", {}).get("application/json")
            if body is not None and "example" not in body and "examples" not in body and "schema" in body:
                body["example"] = example_of(body["schema"], components)
            for status, response in (op.get("responses") or {}).items():
                if not str(status).startswith("2"):
                    continue
                for media, content in (response.get("content") or {}).items():
                    if "json" in media and "schema" in content and "example" not in content:
                        content["example"] = example_of(content["schema"], components)
    return schema


def _merge_status_keys(op: dict[str, Any]) -> None:
    """One entry per status: ninja keys responses by int, `openapi_extra` by str (the PDF answers), and JSON would
    carry both as "200" (Swagger UI refuses such a document)."""
    merged: dict[str, Any] = {}
    for status, response in (op.get("responses") or {}).items():
        key = str(status)
        if key in merged:
            both = {**merged[key], **response}
            both["content"] = {**merged[key].get("content", {}), **response.get("content", {})}
            merged[key] = both
        else:
            merged[key] = response
    op["responses"] = merged
