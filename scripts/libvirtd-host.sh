#!/usr/bin/env bash
# Run libvirtd by hand on a host without a service manager (CI, containers).
#   scripts/libvirtd-host.sh start    install what is missing, write a working config, start libvirtd
#   scripts/libvirtd-host.sh stop     stop the libvirtd this script started (by its pid)
#   scripts/libvirtd-host.sh status   say whether a libvirtd runs and who started it
#   scripts/libvirtd-host.sh credentials   only write the TLS certificates and the SASL user (see below)
#   scripts/libvirtd-host.sh cgroups [MOUNTINFO [CGROUP_ROOT]]   the cgroup controllers libvirt may use here
#   scripts/libvirtd-host.sh qemu-conf FILE   write the qemu.conf that `start` would write
#   scripts/libvirtd-host.sh cgroup-layout [MOUNTINFO]   v1, v2, hybrid or none
#
# cgroups: `start` gives libvirt the controllers the host mounts (qemu.conf cgroup_controllers). On a
# "hybrid" host (v1 controllers plus cgroup2 at /sys/fs/cgroup/unified) libvirt puts CPU accounting on
# the cgroup2 side, which has no per-CPU figures ("getCpuacctPercpuUsage not supported for backend
# 'cgroup V2'"): there libvirtd starts in a mount namespace of its own that sees the v1 controllers only.
# Where a libvirtd already runs (started by systemd or by hand), `start` uses it and changes nothing.
#
# The libvirtd it starts listens on the unix sockets (no auth), on 127.0.0.1 over TCP (no auth: the
# insecure reference) and over TLS (client certificates required, then SASL SCRAM-SHA-256). What the
# remote transports need is made for this host in the state folder ($AVOCADO_CERT_STATE, /run/avocado-cert):
#   pki/                 CA (cacert.pem, cakey.pem) and the server's certificate and key
#   pki/client/          a client's pkipath: cacert.pem, clientcert.pem, clientkey.pem
#   sasl/libvirt.conf    the SASL service configuration (libvirtd finds it through SASL_CONF_PATH)
#   sasl/passwd.db       the SASL user database, one user: acert
#   sasl/auth.conf       a libvirt client auth file with that user's credentials (authfile= in a URI)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
state=${AVOCADO_CERT_STATE:-/run/avocado-cert}
pidfile=$state/libvirtd.pid
sasl_user=acert
logfile=${AVOCADO_CERT_LIBVIRTD_LOG:-/var/log/avocado-cert-libvirtd.log}
qemu_conf=/etc/libvirt/qemu.conf
marker="# avocado-cert: qemu.conf"

. "$top/scripts/lib/packages.sh"

packages="libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86 qemu-utils
          qemu-system-arm qemu-system-ppc qemu-system-misc
          dnsmasq-base iptables gnutls-bin libsasl2-modules sasl2-bin cpio busybox-static
          iproute2 util-linux"


running_pid() {
    # The pid of a running libvirtd, whoever started it; one in another mount namespace (a private
    # daemon with its own /run/libvirt) serves other sockets and does not count.
    if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then cat "$pidfile"; return 0; fi
    pgrep -x libvirtd --ns $$ --nslist mnt | head -n 1
}

# The v1 controllers libvirt's QEMU driver knows (qemu.conf cgroup_controllers).
cgroup_known="cpu cpuacct cpuset memory devices freezer blkio net_cls perf_event name=systemd"

cgroup_controllers() {
    # The controllers libvirt can use on this host, read from what it mounts: a writable cgroup v1
    # hierarchy per controller, or cgroup2 at the root (its cgroup.controllers, in libvirt's v1 names;
    # devices is BPF there). A cgroup2 beside v1 hierarchies (.../unified) holds no controller of its own.
    local mountinfo=${1:-${AVOCADO_CERT_MOUNTINFO:-/proc/self/mountinfo}}
    local root=${2:-${AVOCADO_CERT_CGROUP_ROOT:-/sys/fs/cgroup}}
    awk -v known="$cgroup_known" -v root="$root" '
        BEGIN { n = split(known, k, " "); for (i = 1; i <= n; i++) want[k[i]] = 1 }
        {
            for (sep = 7; sep <= NF && $sep != "-"; sep++) {}
            fstype = $(sep + 1); split($6, mopts, ",")
            if (mopts[1] != "rw") next
            if (fstype == "cgroup") {
                m = split($(sep + 3), opts, ",")
                for (i = 1; i <= m; i++) if (opts[i] in want) found[opts[i]] = 1
            } else if (fstype == "cgroup2" && $5 == "/sys/fs/cgroup") {
                v2 = 1
            }
        }
        END {
            if (v2) {
                file = root "/cgroup.controllers"
                while ((getline line < file) > 0) {
                    m = split(line, c, " ")
                    for (i = 1; i <= m; i++) {
                        if (c[i] == "cpu") { found["cpu"] = 1; found["cpuacct"] = 1 }
                        else if (c[i] == "io") found["blkio"] = 1
                        else if (c[i] in want) found[c[i]] = 1
                    }
                }
                found["devices"] = 1
            }
            out = ""
            for (i = 1; i <= n; i++) if (k[i] in found) out = out (out ? " " : "") k[i]
            print out
        }' "$mountinfo"
}

cgroup_layout() {
    local mountinfo=${1:-${AVOCADO_CERT_MOUNTINFO:-/proc/self/mountinfo}}
    awk '{ for (sep = 7; sep <= NF && $sep != "-"; sep++) {}
           if ($(sep + 1) == "cgroup") v1 = 1
           if ($(sep + 1) == "cgroup2") { if ($5 == "/sys/fs/cgroup") v2 = 1; else side = 1 } }
         END { print (v2 ? "v2" : v1 && side ? "hybrid" : v1 ? "v1" : "none") }' "$mountinfo"
}

write_qemu_conf() {
    # cgroup_controllers from the host's mounts: a host with cgroups certifies them, one without says so.
    local controllers list=""
    controllers=$(cgroup_controllers)
    for c in $controllers; do list="$list\"$c\", "; done
    list=${list:+ ${list%, }}
    if [ -n "$controllers" ]; then
        echo "libvirtd-host: cgroup controllers for libvirt: $controllers"
    else
        echo "libvirtd-host: this host mounts no usable cgroup controller: libvirt runs guests without" \
            "cgroups (CPU accounting and the cgroup tunables will SKIP)"
    fi
    sed -e "s|^cgroup_controllers = .*|cgroup_controllers = [$list ]|" "$top/cfg/host/qemu.conf" >"$1"
}

pki_template() { sed -e "s|@STATE@|$state|g" "$top/cfg/host/$1"; }

make_pki() {
    local pki=$state/pki
    [ -s "$pki/client/clientcert.pem" ] && certtool --verify --load-ca-certificate "$pki/cacert.pem" \
        --infile "$pki/client/clientcert.pem" >/dev/null 2>&1 && return 0
    rm -rf "$pki"
    mkdir -p "$pki/client"
    chmod 0700 "$pki" "$pki/client"
    certtool --generate-privkey --outfile "$pki/cakey.pem" 2>/dev/null
    certtool --generate-self-signed --load-privkey "$pki/cakey.pem" --template "$top/cfg/host/tls-ca.info" \
        --outfile "$pki/cacert.pem" >/dev/null 2>&1
    certtool --generate-privkey --outfile "$pki/serverkey.pem" 2>/dev/null
    certtool --generate-certificate --load-privkey "$pki/serverkey.pem" --load-ca-certificate "$pki/cacert.pem" \
        --load-ca-privkey "$pki/cakey.pem" --template "$top/cfg/host/tls-server.info" \
        --outfile "$pki/servercert.pem" >/dev/null 2>&1
    certtool --generate-privkey --outfile "$pki/client/clientkey.pem" 2>/dev/null
    certtool --generate-certificate --load-privkey "$pki/client/clientkey.pem" \
        --load-ca-certificate "$pki/cacert.pem" --load-ca-privkey "$pki/cakey.pem" \
        --template "$top/cfg/host/tls-client.info" --outfile "$pki/client/clientcert.pem" >/dev/null 2>&1
    cp "$pki/cacert.pem" "$pki/client/cacert.pem"
    chmod 0600 "$pki"/*key.pem "$pki/client/clientkey.pem"
    echo "libvirtd-host: made a CA, a server and a client certificate in $pki"
}

make_sasl() {
    local sasl=$state/sasl password
    mkdir -p "$sasl"
    chmod 0700 "$sasl"
    pki_template sasl-libvirt.conf >"$sasl/libvirt.conf"
    if [ -s "$sasl/auth.conf" ] && [ -s "$sasl/passwd.db" ]; then return 0; fi
    password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
    rm -f "$sasl/passwd.db"
    printf '%s' "$password" | saslpasswd2 -p -c -a libvirt -f "$sasl/passwd.db" "$sasl_user"
    (
        umask 077
        printf '[credentials-acert]\nauthname=%s\npassword=%s\n\n' "$sasl_user" "$password"
        printf '[auth-libvirt-127.0.0.1]\ncredentials=acert\n\n[auth-libvirt-localhost]\ncredentials=acert\n'
    ) >"$sasl/auth.conf"
    chmod 0600 "$sasl/passwd.db" "$sasl/auth.conf"
    echo "libvirtd-host: made the SASL user $sasl_user ($sasl/passwd.db, client auth file $sasl/auth.conf)"
}

credentials() {
    mkdir -p "$state"
    make_pki
    make_sasl
    pki_template libvirtd.conf >"$state/libvirtd.conf"
}

ready() {
    # The first start probes QEMU: ~8 s on an idle host, several times that on a busy one.
    for _ in $(seq 1 450); do
        virsh -c qemu:///system version >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    return 1
}

start() {
    # shellcheck disable=SC2086  # one word per package
    install_missing libvirtd-host $packages ${AVOCADO_CERT_EXTRA_PACKAGES:-}
    local pid
    pid=$(running_pid || true)
    if [ -n "$pid" ]; then
        echo "libvirtd-host: libvirtd already runs (pid $pid); using it as it is"
        if ! grep -qs '^listen_tls = 1' "$state/libvirtd.conf" || [ "$(cat "$pidfile" 2>/dev/null)" != "$pid" ]; then
            echo "libvirtd-host: it was not started with this script's TLS/SASL listeners: the tcp/tls transports" \
                "of qemu-x86_64-remote need them ('stop' then 'start' where this script started it)"
        fi
        ready || { echo "libvirtd-host: libvirtd (pid $pid) does not answer on qemu:///system" >&2; exit 1; }
        return 0
    fi
    getent group libvirt-qemu >/dev/null || as_root groupadd -r libvirt-qemu
    getent passwd libvirt-qemu >/dev/null ||
        as_root useradd -r -g libvirt-qemu -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu
    as_root mkdir -p "$state" /var/lib/libvirt/images /var/lib/libvirt/qemu
    if [ ! -e "$qemu_conf" ] || grep -q "^$marker" "$qemu_conf"; then
        write_qemu_conf "$state/qemu.conf.new"
        as_root install -D -m 0644 "$state/qemu.conf.new" "$qemu_conf"
        rm -f "$state/qemu.conf.new"
    else
        echo "libvirtd-host: keeping the existing $qemu_conf"
    fi
    as_root env AVOCADO_CERT_STATE="$state" bash "$0" credentials
    # SASL_CONF_PATH: the service configuration stays in the state folder, /etc/sasl2 is left alone.
    local launch=()
    if [ "$(cgroup_layout)" = hybrid ]; then
        echo "libvirtd-host: hybrid cgroups: libvirtd runs in a mount namespace without /sys/fs/cgroup/unified"
        # slave: mounts made on the host later still reach the daemon; its unmount stays its own.
        launch=(unshare -m --propagation slave sh -c 'umount /sys/fs/cgroup/unified && exec "$@"' libvirtd-host)
    fi
    # Under a subreaper (scripts/lib/subreaper.py): an exited QEMU is reaped at once whatever this host's
    # init does, so a domain destroy does not wait for it (one to two seconds each under a lazy init).
    as_root env SASL_CONF_PATH="$state/sasl" setsid -f "${launch[@]}" python3 "$top/scripts/lib/subreaper.py" \
        libvirtd -d -l -f "$state/libvirtd.conf" -p "$pidfile" </dev/null >>"$logfile" 2>&1 || true
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
        if grep -qs '^listen_tls = 1' "$state/libvirtd.conf"; then
            echo "libvirtd-host: remote transports: tcp 127.0.0.1:16509 (no auth), tls 127.0.0.1:16514" \
                "(client certificate, then SASL): pkipath $state/pki/client, authfile $state/sasl/auth.conf"
        fi
    else
        echo "libvirtd-host: libvirtd runs (pid $pid), started elsewhere"
    fi
}

case "${1:-}" in
    start) start ;;
    stop) shift; stop "$@" ;;
    status) status ;;
    credentials) credentials ;;
    cgroups) shift; cgroup_controllers "$@" ;;
    qemu-conf) [ -n "${2:-}" ] || { echo "usage: $0 qemu-conf FILE" >&2; exit 2; }; write_qemu_conf "$2" ;;
    cgroup-layout) shift; cgroup_layout "$@" ;;
    *)
        echo "usage: $0 start|stop [--purge]|status|credentials|cgroups [MOUNTINFO [CGROUP_ROOT]]|qemu-conf FILE|cgroup-layout [MOUNTINFO]" >&2
        exit 2
        ;;
esac
