#!/usr/bin/env bash
# Set up avocado-cert on this machine: system packages, a virtualenv, the package itself.
# Idempotent: a second run installs nothing that is already there.
#   usage: scripts/setup.sh [VENV_DIR]      (default: .venv in the checkout)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
venv=${1:-$top/.venv}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# What building libvirt-python and running the in-process test driver need.
packages="libvirt-dev pkg-config gcc"
python3 -c 'import ensurepip, venv' 2>/dev/null || packages="$packages python3-venv"
python3 -c 'import sysconfig, os, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' \
    || packages="$packages python3-dev"
missing=""
for pkg in $packages; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
    echo "avocado-cert setup: installing system packages:$missing"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
fi

if [ ! -x "$venv/bin/python" ]; then
    echo "avocado-cert setup: creating the virtualenv $venv"
    python3 -m venv "$venv"
fi
# Avocado 113 still imports pkg_resources, which setuptools 81 removed.
"$venv/bin/pip" install -q 'setuptools<81' wheel
"$venv/bin/pip" install -q -e "$top[dev]"

# Register the suite as an Avocado-VT test provider; this also stops Avocado-VT's CLI plugins from
# printing a "Bootstrap missing" traceback on every avocado command.
"$venv/bin/python" -m avocado_cert.vt.provider --quiet || true

echo "avocado-cert setup: ready ($venv)"
