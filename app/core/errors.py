"""The domain errors that rule functions raise and views turn into answers."""


class RuleViolation(Exception):
    """The action is not allowed now; the message says why, in the user's language."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class NotFound(Exception):
    """The thing does not exist for this user; views answer 404 so existence is not revealed."""
