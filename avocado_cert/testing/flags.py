"""Flag axes of a profile (`affect`, `domain_state`) and what libvirt documents for each combination.

A profile's flag axes set these params per variant; the flag suite reads them, puts a domain in the
state, calls with the flags and checks the documented effect on the live and persistent definitions:
VIR_DOMAIN_AFFECT_CURRENT is the live domain when it is active, the persistent definition otherwise;
AFFECT_LIVE on an inactive domain is refused with VIR_ERR_OPERATION_INVALID."""

from dataclasses import dataclass

import libvirt

AFFECT = {
    "current": libvirt.VIR_DOMAIN_AFFECT_CURRENT,
    "live": libvirt.VIR_DOMAIN_AFFECT_LIVE,
    "config": libvirt.VIR_DOMAIN_AFFECT_CONFIG,
    "both": libvirt.VIR_DOMAIN_AFFECT_LIVE | libvirt.VIR_DOMAIN_AFFECT_CONFIG,
}
STATES = ("running", "paused", "shutoff")


@dataclass(frozen=True)
class Expectation:
    """What a call with `affect` flags does to a domain in `state`."""

    flags: int
    refused: bool  # VIR_ERR_OPERATION_INVALID: the live domain is asked for but there is none
    live: bool  # the running domain changes
    config: bool  # the persistent definition changes


def expectation(affect, state):
    if affect not in AFFECT:
        raise ValueError(f"affect: unknown value {affect!r} (known: {', '.join(AFFECT)})")
    if state not in STATES:
        raise ValueError(f"domain_state: unknown value {state!r} (known: {', '.join(STATES)})")
    active = state != "shutoff"
    wants_live = affect in ("live", "both") or (affect == "current" and active)
    wants_config = affect in ("config", "both") or (affect == "current" and not active)
    if wants_live and not active:
        return Expectation(AFFECT[affect], True, False, False)
    return Expectation(AFFECT[affect], False, wants_live and active, wants_config)


def put_in_state(dom, state):
    """Start a defined domain as state asks (running, paused) or leave it shut off."""
    if state in ("running", "paused"):
        dom.create()
    if state == "paused":
        dom.suspend()
