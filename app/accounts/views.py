from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from movements.app.accounts import deletion, new_codes, rules
from movements.app.accounts.deletion_form import DeleteAccountForm
from movements.app.accounts.forms import (
    ContactForm,
    LanguagesForm,
    LoginForm,
    PasswordForm,
    ProfileForm,
    RecoverForm,
    SavedCodesForm,
    SignupForm,
)
from movements.app.accounts.signup import sign_up
from movements.app.core.taxonomy import pack, unpack
from movements.app.keys import argon2_pool, contacts, feed_tokens
from movements.app.mail import addresses as mail_addresses
from movements.app.mail import settings as mail_settings
from movements.app.web.csrf import shows_form_again
from movements.app.web.forms import REFUSED, through_rule
from movements.app.web.return_to import checked_next
from movements.app.web.sessions import login_required, sign_in, sign_out, sign_out_everywhere

WHERE_USED = _l(
    "If you forget your password, choose “Forgot your password? Use a recovery code.” on the "
    "log-in page, then type your username and one of these codes."
)


# the forms whose rule takes one of the argon2 pool's places to check a password or a code
CHECK_A_PASSWORD = frozenset(
    {"accounts.login", "accounts.recover", "accounts.change_password", "accounts.delete"}
)


def make_blueprint() -> Blueprint:
    bp = Blueprint("accounts", __name__)

    @bp.before_request
    def _turn_away_when_every_place_is_taken():
        # The rule would refuse it anyway (argon2_pool.Busy); here it costs no form, no
        # rendering of the form page and no query, which is what lets a flood of sign-ins be
        # refused at once without slowing everyone else's pages (bench/flood.py).
        if (
            request.method == "POST"
            and request.endpoint in CHECK_A_PASSWORD
            and argon2_pool.every_password_check_place_is_taken()
        ):
            raise argon2_pool.Busy

    @bp.route("/signup", methods=["GET", "POST"])
    @shows_form_again
    def signup():
        form = SignupForm()
        if form.validate_on_submit():
            codes = through_rule(
                form.username,
                sign_up,
                form.username.data,
                form.password.data,
                form.role.data,
                form.country.data,
            )
            if codes is not REFUSED:
                new_codes.keep_to_show(g.user, codes)
                # a redirect, so that reloading the codes' page never sends the sign-up again
                return redirect(url_for("accounts.recovery_codes"))
        return render_template("accounts/signup.html", form=form), 400 if form.errors else 200

    @bp.route("/account/recovery-codes", methods=["GET", "POST"])
    @shows_form_again
    @login_required
    def recovery_codes():
        waiting = new_codes.waiting_for(g.user)
        if waiting is None:
            return redirect(url_for("main.index"))
        form = SavedCodesForm()
        if form.validate_on_submit():
            new_codes.drop()
            return redirect(url_for("main.index"))
        status = 400 if form.errors else 200
        page = render_template(
            "accounts/recovery_codes.html", waiting=waiting, form=form, where_used=WHERE_USED
        )
        return page, status

    @bp.get("/account/recovery-codes.txt")
    @login_required
    def recovery_codes_file():
        waiting = new_codes.waiting_for(g.user)
        if waiting is None:
            abort(404)
        numbered = [f"{number}. {code}" for number, code in enumerate(waiting.codes, 1)]
        text = "\n".join([_("Your recovery codes"), "", *numbered, "", str(WHERE_USED), ""])
        headers = {
            "Content-Type": "text/plain; charset=utf-8",
            "Content-Disposition": 'attachment; filename="recovery-codes.txt"',
        }
        return text, 200, headers

    @bp.route("/login", methods=["GET", "POST"])
    @shows_form_again
    def login():
        form = LoginForm()
        if form.validate_on_submit():
            signed_in = rules.authenticate(form.username.data, form.password.data)
            if signed_in is not None:
                sign_in(signed_in.user, signed_in.key)
                if signed_in.new_codes:
                    return show_new_codes(signed_in)
                return redirect(checked_next(request.args.get("next")))
            form.password.errors.append(_("That username and password do not match."))
        return render_template("accounts/login.html", form=form), 400 if form.errors else 200

    @bp.post("/logout")
    def logout():
        sign_out()
        return redirect(url_for("main.index"))

    @bp.route("/recover", methods=["GET", "POST"])
    @shows_form_again
    def recover():
        form = RecoverForm()
        if form.validate_on_submit():
            recovered = through_rule(
                form.code,
                rules.reset_with_recovery_code,
                form.username.data,
                form.code.data,
                form.password.data,
            )
            if recovered is not REFUSED:
                sign_out_everywhere(recovered.user)
                sign_in(recovered.user, recovered.key)
                if recovered.new_codes:
                    return show_new_codes(recovered)
                flash(_("Your password is changed. That recovery code cannot be used again."))
                return redirect(url_for("accounts.account"))
        return render_template("accounts/recover.html", form=form), 400 if form.errors else 200

    @bp.get("/account")
    @login_required
    def account():
        return account_page()

    @bp.route("/account/profile", methods=["GET", "POST"])
    @shows_form_again
    @login_required
    def profile():
        user = g.user
        form = ProfileForm(data={"bio": user.bio, "skills": unpack(user.skills)})
        if form.validate_on_submit():
            rules.update_profile(user, form.bio.data or "", pack(form.skills.data))
            flash(_("Your profile is saved."))
            return redirect(url_for("accounts.account"))
        return render_template("accounts/profile.html", form=form), 400 if form.errors else 200

    @bp.route("/account/languages", methods=["GET", "POST"])
    @shows_form_again
    @login_required
    def languages():
        user = g.user
        form = LanguagesForm(
            data={"languages": unpack(user.languages), "country": user.country},
            first_languages=unpack(user.languages),
        )
        if form.validate_on_submit():
            rules.update_languages(user, pack(form.languages.data), form.country.data or "")
            flash(_("Your languages are saved."))
            return redirect(url_for("accounts.profile"))
        return render_template("accounts/languages.html", form=form), 400 if form.errors else 200

    @bp.post("/account/contacts")
    @shows_form_again
    @login_required
    def save_contact():
        form = ContactForm()
        if form.validate_on_submit():
            contacts.set_contact(g.user, form.kind.data, form.value.data or "")
            flash(_("Your contact details are saved."))
            return redirect(url_for("accounts.account"))
        return account_page(contact_form=form), 400

    @bp.post("/account/password")
    @shows_form_again
    @login_required
    def change_password():
        form = PasswordForm()
        if form.validate_on_submit():
            user, key = g.user, g.user_key
            changed = through_rule(
                form.current,
                rules.change_password,
                user,
                key,
                form.current.data,
                form.password.data,
            )
            if changed is not REFUSED:
                sign_out_everywhere(user)
                sign_in(user, key)
                flash(_("Your password is changed. Other browsers are signed out."))
                return redirect(url_for("accounts.account"))
        return account_page(password_form=form), 400

    @bp.post("/account/sign-out-everywhere")
    @login_required
    def everywhere():
        sign_out_everywhere(g.user)
        flash(_("You are signed out on every browser."))
        return redirect(url_for("accounts.login"))

    @bp.route("/account/delete", methods=["GET", "POST"])
    @shows_form_again
    @login_required
    def delete():
        form = DeleteAccountForm()
        if form.validate_on_submit():
            user = g.user
            deleted = through_rule(
                form.password, deletion.delete_own_account, user, form.password.data
            )
            if deleted is not REFUSED:
                sign_out_everywhere(user)
                flash(_("Your account and everything in it are deleted."))
                return redirect(url_for("main.index"))
        return render_template("accounts/delete.html", form=form), 400 if form.errors else 200

    return bp


def show_new_codes(signed_in: rules.SignIn):
    """Codes issued at sign-in: after a move to per-user keys, or after a forced reset."""
    why = new_codes.KEYS_LOST if signed_in.keys_were_lost else new_codes.UPGRADED
    new_codes.keep_to_show(signed_in.user, signed_in.new_codes, why)
    return redirect(url_for("accounts.recovery_codes"))


def account_page(**forms) -> str:
    """The account page, with whichever of its forms was just submitted showing its errors."""
    user = g.user
    page = {
        "contact_form": ContactForm(formdata=None),
        "password_form": PasswordForm(formdata=None),
        **forms,
    }
    return render_template(
        "accounts/account.html",
        contacts=contacts.contacts_of(user, g.user_key),
        codes_left=rules.remaining_recovery_codes(user),
        email=mail_addresses.settings_of(user),
        email_offered=mail_settings.enabled(),
        feed=feed_tokens.feeds_on(user),
        **page,
    )
