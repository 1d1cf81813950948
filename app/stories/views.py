"""/stories for everyone, a match's story page for its two sides, and removal for staff."""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from movements.app.core.errors import RuleViolation
from movements.app.matches.rules import get_match_for
from movements.app.staff.forms import ReasonForm
from movements.app.stories import rules
from movements.app.stories.forms import ApproveForm, PageForm, StoryForm
from movements.app.web.csrf import shows_form_again
from movements.app.web.sessions import login_required


def story_page(match, status=200, **forms):
    story = rules.story_of(match)
    is_activist = g.user.id == match.activist_id
    text = story.text if story is not None else ""
    anonymous = story.activist_anonymous if story is not None else True
    page = {
        "story_form": StoryForm(formdata=None, data={"text": text, "anonymous": anonymous}),
        "approve_form": ApproveForm(
            formdata=None, data={"version": story.version if story else 1, "anonymous": anonymous}
        ),
        **forms,
    }
    mine = "activist_approved" if is_activist else "provider_approved"
    return render_template(
        "stories/match.html",
        match=match,
        story=story,
        is_activist=is_activist,
        may_approve=story is not None and story.status == story.DRAFT and not getattr(story, mine),
        **page,
    ), status


def _anonymous(form, match) -> bool | None:
    """Only the activist answers how they appear."""
    return form.anonymous.data if g.user.id == match.activist_id else None


def make_blueprint() -> Blueprint:
    bp = Blueprint("stories", __name__)

    def listing(template: str):
        form = PageForm(request.args)
        if not form.validate():
            abort(400)
        page = form.page.data or 1
        stories, more = rules.published_page(page)
        return render_template(template, stories=stories, more=more, page=page)

    @bp.get("/stories")
    def index():
        return listing("stories/index.html")

    @bp.get("/matches/<public_id>/story")
    @login_required
    def show(public_id):
        return story_page(get_match_for(g.user, public_id))

    @bp.post("/matches/<public_id>/story")
    @shows_form_again
    @login_required
    def propose(public_id):
        match = get_match_for(g.user, public_id)
        form = StoryForm()
        if form.validate_on_submit():
            try:
                rules.propose(g.user, match, form.text.data, _anonymous(form, match))
            except RuleViolation as error:
                form.text.errors.append(error.message)
            else:
                flash(_("Your text is saved. It is published once the other side approves it."))
                return redirect(url_for("stories.show", public_id=public_id))
        return story_page(match, 400, story_form=form)

    @bp.post("/matches/<public_id>/story/approve")
    @login_required
    def approve(public_id):
        match = get_match_for(g.user, public_id)
        form = ApproveForm()
        if not form.validate_on_submit():
            abort(400)
        story = rules.approve(g.user, match, form.version.data, _anonymous(form, match))
        if story.status == story.PUBLISHED:
            flash(_("Both of you approved it: the story is published."))
        else:
            flash(_("You approved the story. It is published once the other side approves it."))
        return redirect(url_for("stories.show", public_id=public_id))

    @bp.post("/matches/<public_id>/story/withdraw")
    @login_required
    def withdraw(public_id):
        rules.withdraw(g.user, get_match_for(g.user, public_id))
        flash(_("The story is withdrawn and deleted."))
        return redirect(url_for("stories.show", public_id=public_id))

    # Staff: under /staff, so the staff area's guard answers 404 to everyone else and checks
    # the CSRF token for staff (the site-wide check would answer outsiders first).
    @bp.get("/staff/stories")
    def staff_list():
        return listing("stories/staff.html")

    @bp.route("/staff/stories/<public_id>/remove", methods=["GET", "POST"])
    @shows_form_again
    def staff_remove(public_id):
        story = rules.published_story(g.user, public_id)
        form = ReasonForm()
        if form.validate_on_submit():
            rules.remove(g.user, story, form.reason.data)
            flash(_("Done, and recorded in the staff log."))
            return redirect(url_for("stories.staff_list"))
        back = url_for("stories.staff_list")
        heading = _("Remove this story")
        status = 400 if form.errors else 200
        page = render_template("staff/reason.html", form=form, heading=heading, back=back)
        return page, status

    bp.record_once(lambda state: state.app.extensions["csrf"].exempt(staff_remove))
    return bp
