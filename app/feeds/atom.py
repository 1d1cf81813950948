"""Atom documents (RFC 4287), written by feedgen: per entry a title and a link, nothing more.

No message text, contact detail or description ever goes into a feed: a feed reader may keep
it on a disk, sync it to a server or show it on a locked screen. Times are dates, as the site
stores them, written as midnight UTC.
"""

import datetime
import re
from dataclasses import dataclass

from feedgen.feed import FeedGenerator

from movements.app.core.models import today

# what XML 1.0 cannot hold at all, and lxml refuses rather than escapes
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
MEDIA_TYPE = "application/atom+xml; charset=utf-8"


@dataclass
class Entry:
    id: str
    title: str
    link: str
    updated: datetime.date


@dataclass
class Feed:
    id: str
    title: str
    self_url: str  # where this document is fetched from
    page_url: str  # the page of the site it follows
    author: str
    language: str
    entries: list[Entry]


def _text(value: str) -> str:
    return NOT_XML.sub("", str(value))


def _moment(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)


def document(feed: Feed) -> bytes:
    generator = FeedGenerator()
    generator.id(feed.id)
    generator.title(_text(feed.title))
    generator.author({"name": _text(feed.author)})
    generator.link(href=feed.self_url, rel="self", type="application/atom+xml")
    generator.link(href=feed.page_url, rel="alternate", type="text/html")
    generator.language(feed.language)
    generator.generator(_text(feed.author))  # in place of feedgen's name and web address
    newest = max((entry.updated for entry in feed.entries), default=today())
    generator.updated(_moment(newest))
    for entry in feed.entries:
        item = generator.add_entry(order="append")
        item.id(entry.id)
        item.title(_text(entry.title))
        item.link(href=entry.link, rel="alternate", type="text/html")
        item.updated(_moment(entry.updated))
    return generator.atom_str(pretty=False)
