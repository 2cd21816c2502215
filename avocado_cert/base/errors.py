"""Errors a user can act on: each renders as one line naming the file and the problem."""


class CertError(Exception):
    """Bad input or an unusable host: reported in one line, never as a traceback."""

    def __init__(self, message, path=None):
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)
