"""What a user chooses for their notices: when mail comes, and about which kinds of news.

Kinds of notification are grouped in a few plain categories; a kind named in none of them
(a new one, say) counts as "everything else", so nobody misses it by not knowing its name.
"""

from flask_babel import lazy_gettext as _l

MODES = {
    "instant": _l("At once: one e-mail soon after something happens"),
    "digest": _l("A daily digest: at most one e-mail a day, at the same hour for everyone"),
}

OTHER = "other"
CATEGORIES = {
    "matches": _l("Offers, invitations and matches"),
    "messages": _l("Messages in your matches"),
    "moderation": _l("Reports and moderation"),
    OTHER: _l("Everything else"),
}

KINDS_OF = {
    "matches": (
        "offer_received",
        "offer_accepted",
        "offer_declined",
        "offer_withdrawn",
        "offer_changed",
        "request_withdrawn",
        "match_done",
        "match_completed",
        "match_cancelled",
        "match_ended_deleted",
        "invitation_received",
        "invitation_declined",
        "story_proposed",
        "story_published",
    ),
    "messages": ("message",),
    "moderation": (
        "report_dismissed",
        "report_warned",
        "report_content_removed",
        "report_suspended",
        "report_user_removed",
        "moderation_warning",
        "moderation_removed_content",
        "moderation_suspended",
        "moderation_removed",
    ),
}
NAMED_KINDS = tuple(kind for kinds in KINDS_OF.values() for kind in kinds)


def category_of(kind: str) -> str:
    for category, kinds in KINDS_OF.items():
        if kind in kinds:
            return category
    return OTHER
