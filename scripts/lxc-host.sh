#!/usr/bin/env bash
# A libvirtd for libvirt's LXC driver (the lxc profile), in mount and network namespaces of its own.
#   scripts/lxc-host.sh start    install what is missing, start the daemon, print its URI
#   scripts/lxc-host.sh stop     stop it, its containers and its namespaces (by their pids)
#   scripts/lxc-host.sh status   say whether it runs, and its URI
#
# Its own namespaces: its /run/libvirt, /var/lib/libvirt and /etc/libvirt are private (the host's
# libvirtd and its objects are never seen), and so are its bridges and firewall. Its socket is
# $AVOCADO_CERT_LXC_STATE/sock/libvirt-sock (default /run/avocado-cert/lxc).
#
# cgroups: libvirt_lxc (libvirt 9.0) cannot start a container on a "hybrid" host, v1 controllers
# under /sys/fs/cgroup plus cgroup2 at /sys/fs/cgroup/unified ("Unable to create directory
# /sys/fs/cgroup/unified"). In its own mount namespace the daemon sees the v1 controllers only
# (AVOCADO_CERT_LXC_CGROUPS=auto, the default); AVOCADO_CERT_LXC_CGROUPS=host keeps the host's layout.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
state=${AVOCADO_CERT_LXC_STATE:-/run/avocado-cert/lxc}
layout=${AVOCADO_CERT_LXC_CGROUPS:-auto}
cache=/var/cache/avocado-cert/lxc-libvirtd
uri="lxc:///system?socket=$state/sock/libvirt-sock"

packages="libvirt-daemon libvirt-daemon-driver-lxc libvirt-clients util-linux iproute2 dnsmasq-base iptables"

. "$top/scripts/lib/packages.sh"

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Run as the namespaces' holder: private libvirt folders, the cgroup layout, then wait forever.
namespace_script='set -e
ip link set lo up
for d in /run/libvirt /var/lib/libvirt /etc/libvirt; do mkdir -p "$d"; mount -t tmpfs acert-lxc "$d"; done
mkdir -p /var/cache/libvirt "$CACHE"
mount --bind "$CACHE" /var/cache/libvirt
if [ "$LAYOUT" != host ] && grep -q " /sys/fs/cgroup/unified .* - cgroup2 " /proc/self/mountinfo &&
        grep -q " - cgroup cgroup " /proc/self/mountinfo; then
    umount /sys/fs/cgroup/unified
    echo "lxc-host: the daemon sees the cgroup v1 controllers only (cgroup2 at /sys/fs/cgroup/unified hidden)"
fi
touch "$STATE/namespace-ready"
exec sleep infinity'

ready() {
    for _ in $(seq 1 300); do
        virsh -c "$uri" uri >/dev/null 2>&1 && return 0
        alive "$state/libvirtd.pid" || [ ! -f "$state/libvirtd.pid" ] || return 1
        sleep 0.2
    done
    return 1
}

start() {
    if alive "$state/libvirtd.pid"; then
        echo "lxc-host: runs (pid $(cat "$state/libvirtd.pid")): $uri"
        return 0
    fi
    [ "$(id -u)" -eq 0 ] || { echo "lxc-host: needs root (mount namespaces)" >&2; exit 1; }
    # shellcheck disable=SC2086  # one word per package
    install_missing lxc-host $packages
    stop >/dev/null
    mkdir -p "$state/sock" "$cache"
    chmod 0700 "$state"
    cat >"$state/libvirtd.conf" <<CONF
# avocado-cert: the LXC driver's libvirtd (scripts/lxc-host.sh), unix socket only, no authentication.
unix_sock_dir = "$state/sock"
unix_sock_rw_perms = "0700"
auth_unix_ro = "none"
auth_unix_rw = "none"
log_outputs = "3:file:$state/libvirtd.log"
CONF
    rm -f "$state/namespace-ready"
    STATE=$state CACHE=$cache LAYOUT=$layout setsid unshare -m -n --propagation private \
        sh -c "$namespace_script" </dev/null >"$state/namespace.log" 2>&1 &
    echo $! >"$state/holder.pid"
    for _ in $(seq 1 100); do [ -e "$state/namespace-ready" ] && break; alive "$state/holder.pid" || break; sleep 0.1; done
    if [ ! -e "$state/namespace-ready" ]; then
        echo "lxc-host: the namespaces could not be made:" "$(cat "$state/namespace.log")" >&2
        exit 1
    fi
    cat "$state/namespace.log"
    # Under a subreaper, like libvirtd-host.sh: exited container processes are reaped at once.
    setsid -f nsenter -t "$(cat "$state/holder.pid")" -m -n python3 "$top/scripts/lib/subreaper.py" \
        libvirtd -d -f "$state/libvirtd.conf" -p "$state/libvirtd.pid" </dev/null >>"$state/libvirtd.log" 2>&1
    if ! ready; then
        echo "lxc-host: libvirtd did not come up; see $state/libvirtd.log" >&2
        exit 1
    fi
    echo "lxc-host: libvirtd started (pid $(cat "$state/libvirtd.pid")): $uri"
}

namespace_pids() {
    # Every process in the holder's mount namespace but the holder (the daemon, libvirt_lxc, containers).
    local holder=$1 mine pid
    mine=$(readlink "/proc/$holder/ns/mnt") || return 0
    for pid in /proc/[0-9]*; do
        pid=${pid#/proc/}
        [ "$pid" != "$holder" ] && [ "$(readlink "/proc/$pid/ns/mnt" 2>/dev/null)" = "$mine" ] && echo "$pid"
    done
    return 0
}

stop() {
    local pid holder
    if alive "$state/libvirtd.pid"; then
        pid=$(cat "$state/libvirtd.pid")
        kill "$pid"
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    fi
    if alive "$state/holder.pid"; then
        holder=$(cat "$state/holder.pid")
        for pid in $(namespace_pids "$holder"); do kill -9 "$pid" 2>/dev/null || true; done
        kill "$holder"
    fi
    rm -f "$state/libvirtd.pid" "$state/holder.pid" "$state/namespace-ready"
    echo "lxc-host: stopped"
}

status() {
    if alive "$state/libvirtd.pid"; then
        echo "lxc-host: runs (pid $(cat "$state/libvirtd.pid")): $uri"
    else
        echo "lxc-host: not running ($top/scripts/lxc-host.sh start)"
        return 3
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
