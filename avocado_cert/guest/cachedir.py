"""Where built guest images and their package lists are kept (AVOCADO_CERT_CACHE overrides it)."""

import os

ENV_CACHE = "AVOCADO_CERT_CACHE"
DEFAULT_CACHE = "/var/cache/avocado-cert"


def top():
    return os.environ.get(ENV_CACHE) or DEFAULT_CACHE


def root():
    return os.path.join(top(), "guest")
