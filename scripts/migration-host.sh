#!/usr/bin/env bash
# Two libvirt hosts on one machine, for certifying migration:
#   scripts/migration-host.sh start    start a source and a destination libvirtd, each in its own namespaces
#   scripts/migration-host.sh stop     stop both daemons, their guests and their namespaces
#   scripts/migration-host.sh status   say whether they run, and the URIs that reach them
#
# Each host is a libvirtd in its own mount, network and UTS namespaces: its own /run/libvirt,
# /var/lib/libvirt and /etc/libvirt (tmpfs), its own hostname and host_uuid (libvirt refuses a migration
# to the host it runs on), the machine's other folders shared (the guest image, the shared-storage folder).
# A veth pair joins the two network namespaces, and nothing else: 10.213.0.1 (source) and 10.213.0.2
# (destination) exist only there. Each daemon listens on its veth address over TCP (no auth) and TLS
# (certificates of the CA scripts/libvirtd-host.sh makes, client certificates required), and hands out
# its veth address for QEMU's migration stream (qemu.conf migration_address / migration_host).
# From the machine, the test client reaches each daemon through a unix socket under $root/HOST/sock.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
root=${AVOCADO_CERT_MIGRATION_ROOT:-/tmp/acert-migration}
state=${AVOCADO_CERT_STATE:-/run/avocado-cert}
# The QEMU capabilities probe (~8 s, more on a busy host) is kept between starts, per host.
cache=/var/cache/avocado-cert/migration-libvirtd
net=10.213.0
hosts="src dst"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

address() { if [ "$1" = src ]; then echo "$net.1"; else echo "$net.2"; fi; }
holder_pid() { cat "$root/$1/holder.pid" 2>/dev/null || true; }
alive() { local pid; pid=$(holder_pid "$1"); [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }
in_ns() { local side=$1; shift; nsenter -t "$(holder_pid "$side")" -m -n -u "$@"; }
socket() { echo "$root/$1/sock/libvirt-sock"; }
uri() { echo "qemu+unix:///system?socket=$(socket "$1")"; }

check_tools() {
    local tool
    for tool in unshare nsenter libvirtd ip certtool virsh; do
        command -v "$tool" >/dev/null || { echo "migration-host: $tool is not installed" >&2; exit 2; }
    done
    [ -f /etc/libvirt/qemu.conf ] ||
        { echo "migration-host: no /etc/libvirt/qemu.conf (run scripts/libvirtd-host.sh start first)" >&2; exit 2; }
}

make_pki() {
    # A server certificate valid for both veth addresses, from the host's CA; the host's client
    # certificate serves the test client and each daemon acting as a client (peer-to-peer).
    local pki=$root/pki
    mkdir -p "$pki/client"
    chmod 0700 "$pki"
    cp "$state/pki/cacert.pem" "$pki/cacert.pem"
    cp "$state/pki/client/"*.pem "$pki/client/"
    printf 'organization = avocado-cert\ncn = acert-migration\nip_address = %s\nip_address = %s\n%s\n' \
        "$net.1" "$net.2" "tls_www_server
encryption_key
signing_key
expiration_days = 30" >"$pki/server.info"
    certtool --generate-privkey --outfile "$pki/serverkey.pem" 2>/dev/null
    certtool --generate-certificate --load-privkey "$pki/serverkey.pem" \
        --load-ca-certificate "$state/pki/cacert.pem" --load-ca-privkey "$state/pki/cakey.pem" \
        --template "$pki/server.info" --outfile "$pki/servercert.pem" >/dev/null 2>&1
    chmod 0600 "$pki/serverkey.pem" "$pki/client/clientkey.pem"
}

write_config() {
    local side=$1 dir=$root/$1
    mkdir -p "$dir/sock" "$dir/etc" "$cache/$side"
    cat >"$dir/libvirtd.conf" <<EOF
# avocado-cert migration host '$side': unix socket (no auth) for the test client, TCP and TLS on its veth address.
unix_sock_dir = "$dir/sock"
unix_sock_rw_perms = "0700"
auth_unix_ro = "none"
auth_unix_rw = "none"
listen_addr = "$(address "$side")"
listen_tcp = 1
auth_tcp = "none"
listen_tls = 1
auth_tls = "none"
ca_file = "$root/pki/cacert.pem"
cert_file = "$root/pki/servercert.pem"
key_file = "$root/pki/serverkey.pem"
host_uuid = "$(cat /proc/sys/kernel/random/uuid)"
log_outputs = "3:file:$dir/libvirtd.log"
EOF
    grep -v -E '^(migration_address|migration_host)' /etc/libvirt/qemu.conf >"$dir/etc/qemu.conf"
    printf 'migration_address = "%s"\nmigration_host = "%s"\n' "$(address "$side")" "$(address "$side")" \
        >>"$dir/etc/qemu.conf"
}

start_namespaces() {
    local side=$1 dir=$root/$1
    rm -f "$dir/namespace-ready"
    # The holder keeps the namespaces alive; the daemon and its guests live in them.
    setsid unshare -m -n -u --propagation private sh -c "set -e
        ip link set lo up
        hostname acert-migration-$side
        for d in /run/libvirt /var/lib/libvirt /etc/libvirt; do mkdir -p \$d; mount -t tmpfs acert-migration \$d; done
        # Its own sysfs, so the host interfaces it lists are its namespace's; the cgroup mounts kept.
        mkdir -p '$dir/cgroup'
        mount --rbind /sys/fs/cgroup '$dir/cgroup'
        mount -t sysfs acert-migration /sys
        mount --rbind '$dir/cgroup' /sys/fs/cgroup
        mkdir -p /var/cache/libvirt
        mount --bind '$cache/$side' /var/cache/libvirt
        cp '$dir/etc/qemu.conf' /etc/libvirt/qemu.conf
        mkdir -p /var/lib/libvirt/qemu /var/lib/libvirt/images
        touch '$dir/namespace-ready'
        exec sleep infinity" </dev/null >/dev/null 2>"$dir/namespace.log" &
    echo $! >"$dir/holder.pid"
    for _ in $(seq 1 150); do [ -e "$dir/namespace-ready" ] && return 0; sleep 0.2; done
    echo "migration-host: the namespaces of '$side' could not be made: see $dir/namespace.log" >&2
    exit 1
}

link_hosts() {
    # Made inside the source's namespace, its peer moved straight into the destination's: the machine's
    # own network never sees either end. Not named with the certification prefix: no sweep may take them.
    in_ns src ip link add migveth0 type veth peer name migveth1 netns "$(holder_pid dst)"
    in_ns src ip addr add "$net.1/30" dev migveth0
    in_ns src ip link set migveth0 up
    in_ns dst ip addr add "$net.2/30" dev migveth1
    in_ns dst ip link set migveth1 up
}

start_daemon() {
    local side=$1 dir=$root/$1
    # Under a subreaper, like libvirtd-host.sh: an exited QEMU is reaped at once (see scripts/lib/subreaper.py).
    setsid -f nsenter -t "$(holder_pid "$side")" -m -n -u python3 "$top/scripts/lib/subreaper.py" \
        libvirtd -d -l -f "$dir/libvirtd.conf" -p "$dir/libvirtd.pid" </dev/null >>"$dir/libvirtd.log" 2>&1
    for _ in $(seq 1 450); do
        virsh -c "$(uri "$side")" version >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    echo "migration-host: libvirtd '$side' did not come up: see $dir/libvirtd.log" >&2
    exit 1
}

start() {
    check_tools
    if alive src || alive dst; then
        echo "migration-host: already running ($root); 'stop' first"
        status
        return 0
    fi
    rm -rf "$root"
    mkdir -p "$root/shared"
    make_pki
    for side in $hosts; do write_config "$side"; start_namespaces "$side"; done
    link_hosts
    for side in $hosts; do start_daemon "$side"; done
    # The source daemon's own view of the destination, as peer-to-peer migration uses it.
    in_ns src virsh -c "qemu+tls://$net.2/system?pkipath=$root/pki/client" version >/dev/null ||
        { echo "migration-host: the destination does not answer on $net.2 (TLS)" >&2; exit 1; }
    echo "migration-host: started"
    status
}

stop_side() {
    local side=$1 dir=$root/$1 pid holder mine entry
    holder=$(holder_pid "$side")
    [ -n "$holder" ] && kill -0 "$holder" 2>/dev/null || return 0
    pid=$(cat "$dir/libvirtd.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid"
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    # Whatever else runs in the host's mount namespace (its QEMU guests) goes with it.
    mine=$(readlink "/proc/$holder/ns/mnt")
    for entry in /proc/[0-9]*; do
        [ "${entry#/proc/}" = "$holder" ] && continue
        [ "$(readlink "$entry/ns/mnt" 2>/dev/null)" = "$mine" ] && kill -9 "${entry#/proc/}" 2>/dev/null || true
    done
    kill -9 "$holder" 2>/dev/null || true
    echo "migration-host: '$side' stopped"
}

stop() {
    for side in $hosts; do stop_side "$side"; done
    rm -rf "$root"
}

status() {
    local side rc=0
    for side in $hosts; do
        if alive "$side" && virsh -c "$(uri "$side")" version >/dev/null 2>&1; then
            echo "migration-host: $side runs (hostname acert-migration-$side, $(address "$side")): $(uri "$side")"
        else
            echo "migration-host: $side does not run"
            rc=3
        fi
    done
    if [ "$rc" = 0 ]; then
        echo "migration-host: from the source daemon: qemu+tcp://$net.2/system," \
            "qemu+tls://$net.2/system?pkipath=$root/pki/client; shared storage: $root/shared"
    fi
    return "$rc"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
