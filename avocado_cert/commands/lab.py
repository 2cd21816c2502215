"""`avocado cert lab register|worker|request|add-key`: the community's test lab (centralized mode).

register and worker run on (or for) a lab host; request is any catalog client's; add-key an administrator's.
"""

import json
import os
import time

from avocado_cert.base.errors import CertError
from avocado_cert.catalog.client import Client

NAME = "lab"
HELP = "The community's test lab: register hosts, run a host's worker, file certification requests"
ENV_TOKEN = "AVOCADO_CERT_LAB_TOKEN"
ENV_DATABASE = "AVOCADO_CERT_CATALOG_DB"
FINAL = ("done", "failed", "cancelled")


def _server(parser):
    parser.add_argument("--server", dest="cert_lab_server", metavar="URL", required=True, help="The catalog")
    parser.add_argument(
        "--token", dest="cert_lab_token", metavar="TOKEN", help=f"API token (default: ${ENV_TOKEN})"
    )


def configure(parser):
    actions = parser.add_subparsers(dest="cert_lab_action", metavar="action")
    actions.required = True
    reg = actions.add_parser(
        "register", help="Record a lab host's inventory (libvirt and the OS) in the catalog"
    )
    _server(reg)
    reg.add_argument("--name", dest="cert_lab_name", required=True, help="The lab host's name")
    reg.add_argument(
        "--uri",
        dest="cert_lab_uri",
        default="qemu:///system",
        help="libvirt URI of the host (default: %(default)s)",
    )
    reg.add_argument("--print", dest="cert_lab_print", action="store_true", help="Print the inventory sent")
    work = actions.add_parser(
        "worker", help="Run the worker of a lab host (takes its requests from the queue)"
    )
    _server(work)
    work.add_argument("--host", dest="cert_lab_host", required=True, help="The lab host this worker serves")
    work.add_argument("--key", dest="cert_lab_key", required=True, help="The lab's private signing key")
    work.add_argument(
        "--database",
        dest="cert_lab_database",
        metavar="URL",
        help=f"The catalog's PostgreSQL database, where the queue is (default: ${ENV_DATABASE})",
    )
    work.add_argument("--workdir", dest="cert_lab_workdir", default="lab-work", help="Folder of the runs")
    work.add_argument(
        "--once", dest="cert_lab_once", action="store_true", help="Stop when the queue is empty"
    )
    req = actions.add_parser("request", help="Ask the lab to certify a product version")
    _server(req)
    for flag in ("vendor", "product", "version", "profile"):
        req.add_argument(f"--{flag}", dest=f"cert_lab_{flag}", required=True)
    req.add_argument(
        "--criteria", dest="cert_lab_criteria", default="", help="Criteria version (default: the profile's)"
    )
    req.add_argument(
        "--require",
        dest="cert_lab_require",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="What the host must have: arch=, driver=, accel=, transport= (repeatable)",
    )
    req.add_argument(
        "--wait", dest="cert_lab_wait", type=float, default=0, help="Wait up to N s for the result"
    )
    key = actions.add_parser("add-key", help="Register a public key as the lab's (it signs centralized runs)")
    _server(key)
    key.add_argument(
        "--vendor",
        dest="cert_lab_vendor",
        required=True,
        help="The vendor entry the lab signs as (e.g. community-lab)",
    )
    key.add_argument("cert_lab_pubkey", metavar="PUBKEY", help="KEY.pub of `avocado cert keygen`")


def _client(config):
    return Client(config.get("cert_lab_server"), config.get("cert_lab_token") or os.environ.get(ENV_TOKEN))


def _register(config, out):
    import libvirt  # pylint: disable=import-outside-toplevel

    from avocado_cert.lab import probe  # pylint: disable=import-outside-toplevel

    try:
        inventory = probe.inventory(config.get("cert_lab_name"), config.get("cert_lab_uri"))
    except libvirt.libvirtError as details:
        raise CertError(
            f"cannot read the host at {config.get('cert_lab_uri')}: {details.get_error_message()}"
        ) from None
    if config.get("cert_lab_print"):
        out(json.dumps(inventory, indent=1, sort_keys=True))
    host = _client(config).json("POST", "/api/v1/lab/hosts", inventory)
    out(
        f"lab host {host['name']}: {host['arch']}, {host['driver']} on {host['uri']}, last seen {host['last_seen']}"
    )
    return 0


def _worker(config, out):
    from avocado_cert.lab import worker  # pylint: disable=import-outside-toplevel

    database = config.get("cert_lab_database") or os.environ.get(ENV_DATABASE, "")
    token = config.get("cert_lab_token") or os.environ.get(ENV_TOKEN)
    host = config.get("cert_lab_host")
    out(f"lab worker of host {host}: serving its queue (stop with SIGTERM)")
    try:
        worker.run(
            database,
            config.get("cert_lab_server"),
            token,
            host,
            config.get("cert_lab_key"),
            config.get("cert_lab_workdir"),
            once=config.get("cert_lab_once"),
        )
    except ValueError as details:
        raise CertError(str(details)) from None
    return 0


def _requirements(items):
    found = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key or not value:
            raise CertError(f"--require {item!r}: expected KEY=VALUE")
        found[key] = value
    return found


def _request(config, out):
    client = _client(config)
    payload = {
        flag: config.get(f"cert_lab_{flag}")
        for flag in ("vendor", "product", "version", "profile", "criteria")
    }
    payload["requirements"] = _requirements(config.get("cert_lab_require"))
    req = client.json("POST", "/api/v1/lab/requests", payload)
    out(f"request {req['id']}: {req['state']} on host {req['host']}")
    deadline = time.monotonic() + (config.get("cert_lab_wait") or 0)
    while req["state"] not in FINAL and time.monotonic() < deadline:
        time.sleep(1)
        req = client.json("GET", f"/api/v1/lab/requests/{req['id']}")
    if req["state"] == "done":
        out(f"done: {client.base}/certifications/{req['certification']}")
    elif req["state"] in FINAL:
        out(f"{req['state']}: {req['reason']}")
        return 1
    return 0


def _add_key(config, out):
    path = config.get("cert_lab_pubkey")
    try:
        with open(path, encoding="ascii") as src:
            pem = src.read(8192)
    except (OSError, UnicodeDecodeError) as details:
        raise CertError(f"cannot read the public key: {details}", path) from None
    answer = _client(config).json(
        "POST", "/api/v1/lab/keys", {"vendor": config.get("cert_lab_vendor"), "public_key": pem}
    )
    out(f"lab key {answer['key_id']} (vendor {answer['vendor']})")
    return 0


ACTIONS = {"register": _register, "worker": _worker, "request": _request, "add-key": _add_key}


def run(config, out):
    return ACTIONS[config.get("cert_lab_action")](config, out)
