#!/usr/bin/env bash
# A vSphere API simulator for libvirt's ESX driver: govmomi's ESX host and vCenter models, served over
# TLS on 127.0.0.1 by the launcher in scripts/vsphere-sim (docs/esx.md).
#   scripts/esx-simulator.sh start    install what is missing, build the launcher (once), start both models
#   scripts/esx-simulator.sh stop     stop the simulators this script started (by their pids)
#   scripts/esx-simulator.sh status   say what runs, where
#   scripts/esx-simulator.sh build    only build the launcher (cached by the hash of its source)
# The ESX host listens on $AVOCADO_CERT_ESX_PORT (18443), the vCenter on $AVOCADO_CERT_VPX_PORT (18444).
# The state folder ($AVOCADO_CERT_STATE/esx, /run/avocado-cert/esx) holds, readable by its owner only:
#   credentials     USER:PASSWORD the simulators accept (a password made at the first start)
#   auth.conf       a libvirt client auth file with them (authfile= in the esx and vpx profiles' URIs)
#   esx.pid, vpx.pid, esx.log, vpx.log
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
state=${AVOCADO_CERT_STATE:-/run/avocado-cert}/esx
cache=${AVOCADO_CERT_CACHE:-/var/cache/avocado-cert}/vsphere-sim
source_dir=$top/scripts/vsphere-sim
user=root
declare -A ports=([esx]=${AVOCADO_CERT_ESX_PORT:-18443} [vpx]=${AVOCADO_CERT_VPX_PORT:-18444})
packages="golang-go golang-github-vmware-govmomi-dev"

. "$top/scripts/lib/packages.sh"

source_hash() {
    # The launcher's source, the Go toolchain and the simulator's version: any change rebuilds.
    {
        cat "$source_dir"/*.go
        go version
        dpkg-query -W -f='${Version}\n' golang-github-vmware-govmomi-dev
    } | sha256sum | cut -c1-16
}

build() {
    # Its output goes to stderr: build's stdout is the binary's path, which start reads.
    # shellcheck disable=SC2086  # one word per package
    install_missing esx-simulator $packages >&2
    local binary
    binary=$cache/$(source_hash)/vsphere-sim
    if [ ! -x "$binary" ]; then
        echo "esx-simulator: building the launcher (Go, GOPATH mode, offline; the first build takes minutes)" >&2
        mkdir -p "$(dirname "$binary")"
        # Debian's Go sources, no module download: GOPATH mode against /usr/share/gocode.
        (cd "$source_dir" && env GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS= GOPROXY=off \
            GOCACHE="$cache/gocache" go build -o "$binary.new" .)
        mv "$binary.new" "$binary"
        # Builds of older sources are never used again: keep the Go build cache, drop them.
        find "$cache" -mindepth 1 -maxdepth 1 -type d ! -name gocache ! -name "$(basename "$(dirname "$binary")")" \
            -exec rm -rf {} +
    fi
    echo "$binary"
}

running() {
    local pidfile=$state/$1.pid
    [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null &&
        grep -qa vsphere-sim "/proc/$(cat "$pidfile")/cmdline" 2>/dev/null
}

write_credentials() {
    (umask 077 && mkdir -p "$state")
    if [ ! -s "$state/credentials" ]; then
        (umask 077 && printf '%s:%s\n' "$user" "$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')" \
            >"$state/credentials")
    fi
    local password
    password=$(cut -d: -f2- "$state/credentials")
    # The ESX driver asks for the "esx" service's credentials, for the vCenter as for a host.
    (umask 077 && cat >"$state/auth.conf" <<EOF
[credentials-vsphere-sim]
username=$user
password=$password

[auth-esx-127.0.0.1]
credentials=vsphere-sim
EOF
    )
}

start_one() {
    local model=$1 binary=$2 port=${ports[$1]} log=$state/$1.log
    if running "$model"; then
        echo "esx-simulator: $model already runs (pid $(cat "$state/$model.pid")) on 127.0.0.1:$port"
        return 0
    fi
    : >"$log"
    setsid "$binary" -model "$model" -listen "127.0.0.1:$port" -credentials "$state/credentials" \
        >"$log" 2>&1 </dev/null &
    echo $! >"$state/$model.pid"
    for _ in $(seq 1 100); do
        if grep -q '^serving' "$log"; then
            echo "esx-simulator: $model on https://127.0.0.1:$port/sdk (pid $(cat "$state/$model.pid"))"
            return 0
        fi
        kill -0 "$(cat "$state/$model.pid")" 2>/dev/null || break
        sleep 0.2
    done
    echo "esx-simulator: $model did not start; its log ($log):" >&2
    tail -n 5 "$log" >&2
    return 1
}

stop_one() {
    local model=$1 pidfile=$state/$1.pid
    if running "$model"; then
        local pid
        pid=$(cat "$pidfile")
        kill "$pid"
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        echo "esx-simulator: stopped $model (pid $pid)"
    fi
    rm -f "$pidfile"
}

case "${1:-}" in
    build)
        build
        ;;
    start)
        binary=$(build)
        write_credentials
        start_one esx "$binary"
        start_one vpx "$binary"
        echo "esx-simulator: libvirt auth file: $state/auth.conf"
        ;;
    stop)
        stop_one esx
        stop_one vpx
        ;;
    status)
        for model in esx vpx; do
            if running "$model"; then
                echo "$model: running (pid $(cat "$state/$model.pid")) on 127.0.0.1:${ports[$model]}"
            else
                echo "$model: not running"
            fi
        done
        ;;
    *)
        echo "usage: $0 start|stop|status|build" >&2
        exit 2
        ;;
esac
