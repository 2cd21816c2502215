"""The files of a job's cert/ folder that the host checks write and the report and bundle read.

Names and plain JSON reading only: the report, the bundle and the verifier need them without libvirt."""

import json
import os

CERT_DIR = "cert"
ENVIRONMENT = "environment.json"
INVENTORY_BEFORE = "inventory-before.json"
INVENTORY_AFTER = "inventory-after.json"
HOST_SAFETY = "host-safety.json"


def write(cert_dir, name, data):
    os.makedirs(cert_dir, exist_ok=True)
    with open(os.path.join(cert_dir, name), "w", encoding="utf-8") as out:
        json.dump(data, out, indent=1, sort_keys=True)


def read(cert_dir, name):
    try:
        with open(os.path.join(cert_dir, name), encoding="utf-8") as src:
            return json.load(src)
    except (OSError, ValueError):
        return None
