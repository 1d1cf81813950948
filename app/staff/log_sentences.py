"""Each staff log entry as a sentence in the reader's language: "Sam added evidence about Leila."

The log stores short codes (`evidence.added`, `user:leila`) because they are hashed into the
chain and must never change; this turns them into words when the log is read. A code this
module does not know yet is shown as stored, so no entry is ever hidden.
"""

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from movements.app.audit.chain import COMMAND_LINE, SYSTEM
from movements.app.core.models import StaffLogEntry
from movements.app.web.templating import isolate

SENTENCES = {
    "staff.added": _l("%(who)s made %(whom)s a staff member."),
    "staff.removed": _l("%(who)s removed %(whom)s from staff."),
    "staff.promoted": _l("%(who)s made %(whom)s an admin."),
    "evidence.added": _l("%(who)s added evidence about %(whom)s."),
    "evidence.removed": _l("%(who)s removed evidence about %(whom)s."),
    "evidence.lapsed": _l("%(who)s set aside evidence about %(whom)s."),
    "judgement.proposed": _l("%(who)s proposed 5 stars for %(whom)s."),
    "judgement.confirmed": _l("%(who)s confirmed 5 stars for %(whom)s."),
    "judgement.withdrawn": _l("%(who)s withdrew 5 stars from %(whom)s."),
    "stars.limited": _l("%(who)s limited the stars of %(whom)s."),
    "stars.limit_lifted": _l("%(who)s lifted the limit on the stars of %(whom)s."),
    "user.reinstated": _l("%(who)s reinstated %(whom)s."),
    "report.dismiss": _l("%(who)s dismissed report %(report)s."),
    "report.warn": _l("%(who)s warned %(whom)s after report %(report)s."),
    "report.remove_content": _l("%(who)s removed the content of report %(report)s."),
    "report.suspend": _l("%(who)s suspended %(whom)s after report %(report)s."),
    "report.remove_user": _l("%(who)s removed %(whom)s after report %(report)s."),
}
USER = re.compile(r"(?:^|\s)user:(\S+)")
REPORT = re.compile(r"(?:^|\s)report:(\d+)")


def _actor(actor: str) -> str:
    if actor == COMMAND_LINE:
        return _("The operator")
    if actor == SYSTEM:
        return _("The site")
    return isolate(actor)


def sentence(entry: StaffLogEntry) -> Markup:
    """What happened, with names isolated so a Latin name keeps its order in Arabic text."""
    template = SENTENCES.get(entry.action)
    whom, report = USER.search(entry.target), REPORT.search(entry.target)
    if template is None or (whom is None and "%(whom)s" in str(template)):
        return escape(f"{entry.actor}: {entry.action} {entry.target}")
    return escape(str(template)) % {
        "who": _actor(entry.actor),
        "whom": isolate(whom.group(1)) if whom else "",
        "report": report.group(1) if report else "?",
    }
