#!/usr/bin/env bash
# Run libvirtd by hand on a host without a service manager (CI, containers).
#   scripts/libvirtd-host.sh start    install what is missing, write a working config, start libvirtd
#   scripts/libvirtd-host.sh stop     stop the libvirtd this script started (by its pid)
#   scripts/libvirtd-host.sh status   say whether a libvirtd runs and who started it
# Where a libvirtd already runs (started by systemd or by hand), `start` uses it and changes nothing.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
state=/run/avocado-cert
pidfile=$state/libvirtd.pid
logfile=${AVOCADO_CERT_LIBVIRTD_LOG:-/var/log/avocado-cert-libvirtd.log}
qemu_conf=/etc/libvirt/qemu.conf
marker="# avocado-cert: qemu.conf"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

packages="libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86 qemu-utils
          dnsmasq-base iptables gnutls-bin libsasl2-modules sasl2-bin cpio busybox-static"

install_missing() {
    local missing=""
    for pkg in $packages ${AVOCADO_CERT_EXTRA_PACKAGES:-}; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
    done
    if [ -n "$missing" ]; then
        echo "libvirtd-host: installing:$missing"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
    fi
}

running_pid() {
    # The pid of a running libvirtd, whoever started it.
    if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then cat "$pidfile"; return 0; fi
    pgrep -x libvirtd | head -n 1
}

ready() {
    for _ in $(seq 1 150); do
        virsh -c qemu:///system version >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    return 1
}

start() {
    install_missing
    local pid
    pid=$(running_pid || true)
    if [ -n "$pid" ]; then
        echo "libvirtd-host: libvirtd already runs (pid $pid); using it as it is"
        ready || { echo "libvirtd-host: libvirtd (pid $pid) does not answer on qemu:///system" >&2; exit 1; }
        return 0
    fi
    getent group libvirt-qemu >/dev/null || as_root groupadd -r libvirt-qemu
    getent passwd libvirt-qemu >/dev/null ||
        as_root useradd -r -g libvirt-qemu -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu
    if [ ! -e "$qemu_conf" ]; then
        as_root install -D -m 0644 "$top/cfg/host/qemu.conf" "$qemu_conf"
    elif ! grep -q "^$marker" "$qemu_conf"; then
        echo "libvirtd-host: keeping the existing $qemu_conf"
    fi
    as_root mkdir -p "$state" /var/lib/libvirt/images /var/lib/libvirt/qemu
    as_root install -m 0644 "$top/cfg/host/libvirtd.conf" "$state/libvirtd.conf"
    as_root libvirtd -d -l -f "$state/libvirtd.conf" -p "$pidfile" 2>>"$logfile" || true
    if ! ready; then
        echo "libvirtd-host: libvirtd did not come up; see $logfile" >&2
        tail -n 5 "$logfile" >&2 || true
        exit 1
    fi
    echo "libvirtd-host: libvirtd started (pid $(cat "$pidfile")), log $logfile"
}

stop() {
    if [ ! -f "$pidfile" ]; then
        echo "libvirtd-host: no libvirtd started by this script"
        return 0
    fi
    local pid
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
        as_root kill "$pid"
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && as_root kill -9 "$pid"
    fi
    as_root rm -f "$pidfile"
    if [ "${1:-}" = "--purge" ] && [ -f "$qemu_conf" ] && grep -q "^$marker" "$qemu_conf"; then
        as_root rm -f "$qemu_conf"
    fi
    echo "libvirtd-host: libvirtd (pid $pid) stopped"
}

status() {
    local pid
    pid=$(running_pid || true)
    if [ -z "$pid" ]; then echo "libvirtd-host: no libvirtd runs"; return 3; fi
    if [ -f "$pidfile" ] && [ "$(cat "$pidfile")" = "$pid" ]; then
        echo "libvirtd-host: libvirtd runs (pid $pid), started by this script"
    else
        echo "libvirtd-host: libvirtd runs (pid $pid), started elsewhere"
    fi
}

case "${1:-}" in
    start) start ;;
    stop) shift; stop "$@" ;;
    status) status ;;
    *) echo "usage: $0 start|stop [--purge]|status" >&2; exit 2 ;;
esac
