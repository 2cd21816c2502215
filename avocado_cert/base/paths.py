"""Where the suite's files live: a source checkout, or share/avocado-cert of an install."""

import os
import sys
from functools import lru_cache

ENV_HOME = "AVOCADO_CERT_HOME"


@lru_cache(maxsize=None)
def home():
    """The folder that holds cfg/, data/ and tests/."""
    override = os.environ.get(ENV_HOME)
    if override:
        return os.path.abspath(override)
    checkout = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if os.path.isdir(os.path.join(checkout, "cfg", "profiles")):
        return checkout
    return os.path.join(sys.prefix, "share", "avocado-cert")


def profiles_dir():
    return os.path.join(home(), "cfg", "profiles")


def criteria_dir():
    return os.path.join(home(), "data", "criteria")


def suite_dir():
    return os.path.join(home(), "tests")


def data_path(*parts):
    return os.path.join(home(), "data", *parts)


def cfg_path(*parts):
    return os.path.join(home(), "cfg", *parts)
