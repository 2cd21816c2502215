#!/usr/bin/env bash
# Regenerate data/api/read-only-VERSION.yaml from libvirt's source as Debian ships it: which public
# functions a read-only connection may not call. The source comes from Debian's archive (a deb-src
# entry in a temporary sources file, removed afterwards); its checksum is checked against the .dsc.
#   usage: [PYTHON=venv/bin/python] scripts/read-only-api.sh [SUITE]   (default: bookworm: libvirt 9.0.0)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
suite=${1:-bookworm}
work=$(mktemp -d)
sources=/etc/apt/sources.list.d/acert-deb-src-$$.sources
trap 'rm -rf "$work"; rm -f "$sources"' EXIT

cat >"$sources" <<EOF
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $suite
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
# Only this file's index is fetched: the host's own apt configuration is left as it was.
apt-get update -q -o Dir::Etc::sourcelist="$sources" -o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0 >/dev/null
cd "$work"
apt-get source -q --download-only libvirt >/dev/null 2>&1
dsc=$(ls libvirt_*.dsc)
orig=$(ls libvirt_*.orig.tar.xz)
version=${orig#libvirt_}
version=${version%.orig.tar.xz}
sum=$(sha256sum "$orig" | cut -d' ' -f1)
grep -q " $sum .* $orig\$" "$dsc" || { echo "read-only-api: $orig does not match $dsc" >&2; exit 1; }
tar xf "$orig"
origin="Debian $suite source package ${dsc%.dsc} ($orig, sha256 $sum)"
out="$top/data/api/read-only-$version.yaml"
(cd "$top" && "${PYTHON:-python3}" -m avocado_cert.apisurface.readonly_api "$work/libvirt-$version/src" \
    --libvirt "$version" --origin "$origin") >"$out.new"
mv "$out.new" "$out"
echo "read-only-api: wrote $out"
