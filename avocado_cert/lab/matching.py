"""Which lab hosts can serve a request: the host offers every URI the profile names, and its
inventory meets each requirement the request states (arch, driver, accel, transport)."""

import yaml

REQUIREMENTS = ("arch", "driver", "accel", "transport")


class Unmatched(ValueError):
    """No lab host can serve the request (HTTP 422): the message says what is missing."""


def check_requirements(given):
    """The requirements as {key: lowercase value}; an unknown key or a non-string value is refused."""
    if not isinstance(given, dict):
        raise ValueError("requirements: expected an object")
    unknown = sorted(set(given) - set(REQUIREMENTS))
    if unknown:
        raise ValueError(
            f"requirements: unknown key(s) {', '.join(unknown)} (known: {', '.join(REQUIREMENTS)})"
        )
    if not all(isinstance(value, str) and value for value in given.values()):
        raise ValueError("requirements: every value must be a non-empty string")
    return {key: value.lower() for key, value in given.items()}


def profile_uris(content):
    """The connection URIs a published profile names in its axes (what the lab host must offer)."""
    doc = yaml.safe_load(content) or {}
    uris = set()
    for values in (doc.get("axes") or {}).values():
        for params in (values or {}).values():
            if isinstance(params, dict) and params.get("uri"):
                uris.add(str(params["uri"]))
    return uris


def offers(inventory):
    """What a host offers, by requirement key, in lowercase."""
    return {
        "arch": {str(inventory.get("arch", "")).lower()},
        "driver": {str(d).lower() for d in inventory.get("drivers", [])}
        | {str(inventory.get("driver", "")).lower()},
        "accel": {str(inventory.get("accel", "")).lower()},
        "transport": {str(t).lower() for t in inventory.get("transports", [])},
    }


def serves(inventory, requirements, uris):
    """Why the host cannot serve (one line), or "" when it can."""
    missing = sorted(uris - set(inventory.get("uris", [])))
    if missing:
        return f"does not offer {', '.join(missing)}"
    offered = offers(inventory)
    for key, value in sorted(requirements.items()):
        if value not in offered[key]:
            return f"has no {key} {value}"
    return ""


def candidates(hosts, requirements, uris):
    """[(host, inventory)] that can serve; Unmatched naming what each host lacks when none can."""
    able, why = [], []
    for host, inventory in hosts:
        problem = serves(inventory, requirements, uris)
        if problem:
            why.append(f"{host.name} {problem}")
        else:
            able.append((host, inventory))
    if not able:
        wanted = ", ".join(f"{k}={v}" for k, v in sorted(requirements.items())) or "no requirement"
        detail = "; ".join(why) if why else "the lab has no host"
        raise Unmatched(f"no lab host can serve this request ({wanted}): {detail}")
    return able
