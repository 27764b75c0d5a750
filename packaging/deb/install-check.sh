#!/bin/sh
# `make package-install-check`: installs target/oi_<version>_amd64.deb on this machine and takes it
# through its life: dpkg -i, a start and stop without systemctl, an upgrade over itself that keeps
# the admin's edit of /etc/oi/rules.conf, remove (config kept), purge (config gone).
# It changes the machine, so it is not part of `make test`; it needs root and no oi installed.
set -eu
project=$(cd "$(dirname "$0")/../.." && pwd)
version=$("$JAVA_HOME/bin/java" -jar "$project/target/oi.jar" --version | sed 's/^oi //')
deb="$project/target/oi_${version}_amd64.deb"
[ "$(id -u)" = 0 ] || { echo "package-install-check: run as root (it installs $deb)" >&2; exit 1; }
if dpkg-query -W -f '${Status}' oi 2>/dev/null | grep -q ' installed$\| config-files$'; then
    echo "package-install-check: a package oi is already on this machine; dpkg -P oi first" >&2
    exit 1
fi
work=$(mktemp -d)
backend=""
trap '[ -z "$backend" ] || kill "$backend" 2>/dev/null || true; rm -rf "$work"' EXIT
step() { echo "package-install-check: $*"; }
fail() { echo "package-install-check: FAILED: $*" >&2; exit 1; }
status() { dpkg-query -W -f '${Status}' oi 2>/dev/null || echo "not-installed"; }
await() { # waits up to 20 s for the pattern $2 in the file $1
    n=0
    until grep -q "$2" "$1" 2>/dev/null; do
        n=$((n + 1)); [ "$n" -le 200 ] || fail "no \"$2\" in $1: $(cat "$1")"
        sleep 0.1
    done
}

step "dpkg -i $deb"
dpkg -i "$deb" < /dev/null
[ "$(status)" = "install ok installed" ] || fail "status after install: $(status)"
[ "$(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin oi --version)" = "oi $version" ] || fail "oi --version"
for file in /usr/bin/oi /usr/lib/oi/runtime/bin/java /usr/lib/oi/oi.aot /etc/oi/rules.conf /etc/logrotate.d/oi \
        /usr/lib/systemd/system/oi.service /usr/lib/systemd/system-generators/oi-notify-reload-fallback /usr/share/man/man8/oi.8.gz /usr/share/doc/oi/copyright; do
    [ -e "$file" ] || fail "$file is missing"
done
if [ -d /run/systemd/system ]; then
    ! systemctl is-enabled oi.service >/dev/null 2>&1 || fail "oi.service is enabled"
fi

step "start and stop by hand, with a rule added to /etc/oi/rules.conf"
/usr/lib/oi/runtime/bin/java -jar /usr/lib/oi/oi.jar bench echo-server --port 0 > "$work/backend.out" &
backend=$!
await "$work/backend.out" '^port='
backend_port=$(sed -n 's/^port=//p' "$work/backend.out")
echo "127.0.0.1 0 127.0.0.1 $backend_port  # added by package-install-check" >> /etc/oi/rules.conf
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin oi -c /etc/oi/rules.conf 2> "$work/oi.err" &
oi=$!
await "$work/oi.err" 'listening on'
port=$(sed -n 's/.*listening on [^ ]*:\([0-9]*\) .*/\1/p' "$work/oi.err")
/usr/lib/oi/runtime/bin/java -jar /usr/lib/oi/oi.jar bench rr --target "127.0.0.1:$port" --seconds 1 | grep -q 'rr_round_trips=[1-9]' \
    || fail "no round trips through oi"
kill -TERM "$oi"
code=0; wait "$oi" || code=$?
[ "$code" = 0 ] || fail "oi exited $code after SIGTERM: $(cat "$work/oi.err")"
kill "$backend"; wait "$backend" || true; backend=""

step "upgrade over itself keeps the edited config"
dpkg -i "$deb" < /dev/null
[ "$(status)" = "install ok installed" ] || fail "status after upgrade: $(status)"
grep -q 'added by package-install-check' /etc/oi/rules.conf || fail "the upgrade replaced /etc/oi/rules.conf"

step "dpkg -r keeps the config"
dpkg -r oi < /dev/null
[ "$(status)" = "deinstall ok config-files" ] || fail "status after remove: $(status)"
[ ! -e /usr/bin/oi ] && [ ! -e /usr/lib/oi ] || fail "dpkg -r left /usr/bin/oi or /usr/lib/oi"
grep -q 'added by package-install-check' /etc/oi/rules.conf || fail "dpkg -r removed /etc/oi/rules.conf"
[ -e /etc/logrotate.d/oi ] || fail "dpkg -r removed /etc/logrotate.d/oi"

step "dpkg -P removes the config"
dpkg -P oi < /dev/null
case $(status) in *not-installed) ;; *) fail "status after purge: $(status)" ;; esac
[ ! -e /etc/oi ] && [ ! -e /etc/logrotate.d/oi ] || fail "dpkg -P left /etc/oi or /etc/logrotate.d/oi"
step "passed: install, start/stop, upgrade, remove, purge of oi $version"
