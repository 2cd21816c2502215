#!/usr/bin/env bash
# Set up avocado-cert on this machine: system packages, a virtualenv, the package itself.
# Idempotent: a second run installs nothing that is already there.
#   usage: scripts/setup.sh [VENV_DIR]      (default: .venv in the checkout)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
venv=${1:-$top/.venv}

. "$top/scripts/lib/packages.sh"

# What building libvirt-python and running the in-process test driver need, and what Avocado-VT's
# runner insists on before it runs a certification variant (an IP sniffer, nc, arping).
packages="libvirt-dev pkg-config gcc tcpdump netcat-openbsd iputils-arping"
python3 -c 'import ensurepip, venv' 2>/dev/null || packages="$packages python3-venv"
python3 -c 'import sysconfig, os, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' \
    || packages="$packages python3-dev"
# shellcheck disable=SC2086  # one word per package
install_missing "avocado-cert setup" $packages

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
