"""An Atom document read twice: by feedparser, as a feed reader reads it, and against the
rules of RFC 4287 that a reader relies on (section numbers in the messages)."""

import re
from urllib.parse import urlsplit
from xml.etree import ElementTree

import feedparser

ATOM = "{http://www.w3.org/2005/Atom}"
# RFC 3339 date-time, as section 3.3 requires, with an explicit offset
DATE_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")


def _absolute(iri: str) -> bool:
    return bool(urlsplit(iri).scheme)


def _single(parent, name: str, where: str, found: list[str]) -> None:
    elements = parent.findall(ATOM + name)
    if len(elements) != 1:
        found.append(f"{where} has {len(elements)} atom:{name}, not exactly one (4.1)")


def _links(element) -> list:
    return element.findall(ATOM + "link")


def problems_in_atom(body: bytes) -> list[str]:
    """Everything wrong with one Atom document; an empty list when a reader can rely on it."""
    found = []
    parsed = feedparser.parse(body)
    if parsed.bozo:
        found.append(f"feedparser: {parsed.bozo_exception}")
    if parsed.version != "atom10":
        found.append(f"feedparser reads it as {parsed.version!r}, not Atom 1.0")
    root = ElementTree.fromstring(body)  # noqa: S314 -- our own server's answer, in a test
    if root.tag != ATOM + "feed":
        return [*found, f"the root is {root.tag}, not atom:feed"]
    for name in ("id", "title", "updated"):
        _single(root, name, "the feed", found)
    entries = root.findall(ATOM + "entry")
    if not root.findall(ATOM + "author") and not all(e.findall(ATOM + "author") for e in entries):
        found.append("no atom:author for the feed nor for every entry (4.1.1)")
    if not [link for link in _links(root) if link.get("rel") == "self"]:
        found.append("no link rel=self (4.1.1: SHOULD)")
    for element in [root, *entries]:
        for updated in element.findall(ATOM + "updated"):
            if not DATE_TIME.fullmatch(updated.text or ""):
                found.append(f"updated {updated.text!r} is not an RFC 3339 date-time (3.3)")
        for atom_id in element.findall(ATOM + "id"):
            if not _absolute(atom_id.text or ""):
                found.append(f"id {atom_id.text!r} is not an absolute IRI (4.2.6)")
    ids = [e.findtext(ATOM + "id") for e in entries]
    if len(set(ids)) != len(ids):
        found.append("two entries share an id (4.2.6)")
    for number, entry in enumerate(entries):
        where = f"entry {number}"
        for name in ("id", "title", "updated"):
            _single(entry, name, where, found)
        alternates = [link for link in _links(entry) if link.get("rel", "alternate") == "alternate"]
        if entry.find(ATOM + "content") is None and not alternates:
            found.append(f"{where} has neither content nor an alternate link (4.1.2)")
        for link in _links(entry):
            if not link.get("href"):
                found.append(f"{where} has a link without href (4.2.7.1)")
    return found


def entries_of(body: bytes) -> list[dict]:
    """Each entry as a reader shows it: title, link, and every other field it carries."""
    return [dict(entry) for entry in feedparser.parse(body).entries]
