"""Folders a command is about to write into: refused in one line before any work when they cannot be."""

import os

from avocado_cert.base.errors import CertError


def writable_folder(path, what):
    """Create path (and its parents) if missing; refuse a path that is not a writable folder."""
    if os.path.lexists(path) and not os.path.isdir(path):
        raise CertError(f"{what}: not a folder", path)
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as details:
        raise CertError(f"{what}: cannot create the folder: {details.strerror}", path) from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise CertError(f"{what}: the folder is not writable", path)
    return path
