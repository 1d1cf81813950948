"""Keeping a signed-in user's language on their account, so it follows them to a new browser."""

from movements.app.core.models import User


def choose_language(user: User, code: str) -> None:
    """Store the choice; the caller has checked that `code` is a served language."""
    User.update(language=code).where(User.id == user.id).execute()
    user.language = code
