"""Both catalogues are complete: every user-facing string extracted from the code is translated to zh_Hans."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "src" / "aftersales"
DOMAINS = ("django", "djangojs")


def parse_po(path: Path) -> dict[str, dict]:
    """A small .po reader: msgid (with context) → {"str": msgstr or plural forms, "fuzzy": bool}."""
    entries: dict[str, dict] = {}
    text = path.read_text(encoding="utf-8")
    for block in re.split(r"\n\s*\n", text):
        lines = [ln for ln in block.strip().splitlines() if ln and not ln.startswith("#~")]
        if not lines:
            continue
        fuzzy = any(ln.startswith("#,") and "fuzzy" in ln for ln in lines)
        fields: dict[str, str] = {}
        current = None
        for ln in lines:
            if ln.startswith("#"):
                continue
            m = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+"(.*)"$', ln)
            if m:
                current = m.group(1)
                fields[current] = m.group(2)
            elif ln.startswith('"') and current:
                fields[current] += ln[1:-1]
        if "msgid" not in fields or fields["msgid"] == "":
            continue
        key = fields.get("msgctxt", "") + "\x04" + fields["msgid"]
        strs = [v for k, v in fields.items() if k.startswith("msgstr")]
        entries[key] = {"strs": strs, "fuzzy": fuzzy}
    return entries


@pytest.mark.parametrize("domain", DOMAINS)
def test_zh_hans_catalogue_is_complete(domain):
    po = PKG / "locale" / "zh_Hans" / "LC_MESSAGES" / f"{domain}.po"
    if domain == "djangojs" and not po.exists():
        pytest.skip("no JavaScript strings")
    entries = parse_po(po)
    assert entries, "empty catalogue"
    missing = [k.split("\x04")[1] for k, e in entries.items() if e["fuzzy"] or any(not s for s in e["strs"])]
    assert not missing, f"{len(missing)} untranslated or fuzzy zh_Hans strings, e.g. {missing[:10]}"


@pytest.mark.slow
def test_catalogues_hold_every_string_in_the_code(tmp_path):
    """Re-extract the strings from a copy of the code and compare with the committed catalogues."""
    if not shutil.which("xgettext"):
        pytest.skip("gettext tools are not installed")
    copy = tmp_path / "aftersales"
    shutil.copytree(PKG, copy, ignore=shutil.ignore_patterns("__pycache__", "vendor"))
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "DJANGO_SETTINGS_MODULE": "aftersales.config.test_settings",
           "AFTERSALES_VAR": str(tmp_path / "var")}
    for domain in DOMAINS:
        args = [sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", "-d", domain, "--no-obsolete",
                "--ignore=static/vendor/*", "--ignore=tests/*"]
        subprocess.run(args, cwd=copy, env=env, check=True, capture_output=True, timeout=300)
        fresh = copy / "locale" / "zh_Hans" / "LC_MESSAGES" / f"{domain}.po"
        committed = PKG / "locale" / "zh_Hans" / "LC_MESSAGES" / f"{domain}.po"
        if not fresh.exists():
            continue
        new = set(parse_po(fresh)) - set(parse_po(committed)) if committed.exists() else set(parse_po(fresh))
        assert not new, f"{domain}: strings missing from the catalogue (run `make messages`): " + ", ".join(
            sorted(k.split("\x04")[1] for k in new)[:15])


def test_english_catalogue_exists():
    assert (PKG / "locale" / "en" / "LC_MESSAGES" / "django.po").exists()
