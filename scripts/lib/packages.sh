# Sourced by the set-up scripts: what they share to install the Debian packages they need.
#   as_root CMD...                  run CMD as root (directly, or through sudo)
#   install_missing LABEL PKG...    install those of PKG... that are not installed yet (apt-get update once)

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

install_missing() {
    local label=$1 missing="" pkg
    shift
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
    done
    if [ -n "$missing" ]; then
        echo "$label: installing system packages:$missing"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
        # shellcheck disable=SC2086  # one word per package
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
    fi
}
