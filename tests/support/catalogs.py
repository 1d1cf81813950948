"""What makes a translation safe to ship: the checks tests/test_catalogs.py runs on each catalog.

A translation may reword anything but what the code fills in or the browser reads: the
placeholders (`%(name)s`, `{name}`) and the HTML tags must be the ones of the English.
"""

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "app" / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"

PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]|%[sd]|\{\w*\}")
TAG = re.compile(r"</?[a-zA-Z][^<>]*>")


def read(path: Path) -> Catalog:
    with open(path, "rb") as handle:
        return read_po(handle)


def catalog_path(code: str) -> Path:
    return TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"


def msgids(catalog: Catalog) -> set:
    return {message.id for message in catalog if message.id}


def _forms(value) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, list | tuple) else (value,)


def placeholders(text: str) -> Counter:
    return Counter(PLACEHOLDER.findall(text))


def tags(text: str) -> Counter:
    return Counter(TAG.findall(text))


def untranslated(catalog: Catalog) -> list[str]:
    """Messages a visitor would see in English: missing, empty, fuzzy, or a plural form short."""
    missing = []
    for message in catalog:
        if not message.id:
            continue
        forms = _forms(message.string)
        if message.fuzzy or not all(forms) or len(forms) < _expected_forms(catalog, message):
            missing.append(_forms(message.id)[0])
    return missing


def _expected_forms(catalog: Catalog, message: Message) -> int:
    return catalog.num_plurals if message.pluralizable else 1


def damaged(catalog: Catalog) -> list[str]:
    """Translated messages whose placeholders or markup differ from the English."""
    problems = []
    for message in catalog:
        if not message.id:
            continue
        english = _forms(message.id)
        translated = [form for form in _forms(message.string) if form]
        wanted_placeholders = set().union(*(placeholders(e) for e in english))
        wanted_tags = tags(english[0])
        for form in translated:
            found = placeholders(form)
            # a plural form may leave out the number ("one rating"), never add or change one
            lost = wanted_placeholders - set(found)
            if set(found) - wanted_placeholders or (lost and not message.pluralizable):
                problems.append(f"{english[0]!r}: placeholders {sorted(found)}")
            if tags(form) != wanted_tags:
                problems.append(f"{english[0]!r}: markup {sorted(tags(form))}")
        if message.pluralizable and translated:
            every_form = set().union(*(placeholders(form) for form in translated))
            lost = wanted_placeholders - every_form
            if lost:
                problems.append(f"{english[0]!r}: no form has {sorted(lost)}")
    return problems


def extract(target: Path) -> Catalog:
    """What `make catalogs` would extract from the code now, read back as a catalog."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_ngettext:1,2",
            "--no-location",
            "-o",
            str(target),
            ".",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return read(target)
