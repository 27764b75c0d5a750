#!/bin/sh
# Builds target/oi_<version>_amd64.deb from target/oi.jar (`make package` runs it): a jlink'd
# runtime with only the modules oi needs, an AOT cache trained on that runtime, the launcher
# bin/oi as /usr/bin/oi, the man page, the systemd unit (and its generator), logrotate and /etc/oi/rules.conf.
# Needs JAVA_HOME to be a JDK 25 or newer (jlink and the AOT cache options), and dpkg-deb.
set -eu
project=$(cd "$(dirname "$0")/../.." && pwd)
here="$project/packaging/deb"
cd "$project"
: "${JAVA_HOME:?make package: set JAVA_HOME to a JDK 25 or newer (bin/java-home finds one)}"
jdk_version=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$JAVA_HOME/release")
if [ "${jdk_version:-0}" -lt 25 ]; then
    echo "make package: the AOT cache needs a JDK 25 or newer; JAVA_HOME=$JAVA_HOME is Java $jdk_version" >&2
    exit 1
fi

# java.base uses jdk.net for socket options, jdk.unsupported is sun.misc.Signal (SIGHUP, SIGUSR1),
# jdk.httpserver serves --metrics, jdk.jfr and jdk.management.jfr the Flight Recorder events,
# jdk.management `oi bench`'s CPU figures, and jdk.jcmd gives the admin jcmd without a JDK.
MODULES=java.base,jdk.net,jdk.unsupported,jdk.httpserver,jdk.jfr,jdk.management,jdk.management.jfr,jdk.jcmd
# jdeps also names these for tinylog's JDBC and JNDI writers, which oi never configures.
UNUSED_MODULES=java.sql,java.naming

jar=target/oi.jar
version=$("$JAVA_HOME/bin/java" -jar "$jar" --version | sed 's/^oi //')
deb="target/oi_${version}_amd64.deb"
stage=target/deb/root
lib="$stage/usr/lib/oi"

for module in $("$JAVA_HOME/bin/jdeps" --multi-release "$jdk_version" --print-module-deps --ignore-missing-deps "$jar" | tr , ' '); do
    case ",$MODULES,$UNUSED_MODULES," in
        *",$module,"*) ;;
        *) echo "make package: oi.jar now needs module $module; add it to MODULES in $0" >&2; exit 1 ;;
    esac
done

rm -rf target/deb
mkdir -p "$lib" "$stage/usr/bin" "$stage/usr/share/man/man8" "$stage/usr/share/doc/oi/examples" \
    "$stage/usr/lib/systemd/system" "$stage/usr/lib/systemd/system-generators" "$stage/etc/oi" "$stage/etc/logrotate.d" "$stage/DEBIAN"
# No default CDS archive (--generate-cds-archive, 28 MB): the AOT cache below replaces it.
# zip-6 costs nothing measurable at start (docs/experiments.md, "Footprint") and saves 40 MB.
"$JAVA_HOME/bin/jlink" --add-modules "$MODULES" --strip-debug --no-man-pages --no-header-files \
    --compress=zip-6 --output "$lib/runtime"

install -m 644 "$jar" "$lib/oi.jar"
install -m 755 bin/oi "$stage/usr/bin/oi"
gzip -9n < docs/oi.8 > "$stage/usr/share/man/man8/oi.8.gz"
install -m 644 examples/* "$stage/usr/share/doc/oi/examples/"
install -m 644 "$here/copyright" "$stage/usr/share/doc/oi/copyright"
install -m 644 "$here/rules.conf" "$stage/etc/oi/rules.conf"
install -m 644 examples/oi.logrotate "$stage/etc/logrotate.d/oi"
# The packaged unit is examples/oi.service with the package's paths, and Type=notify-reload: the
# runtime is JDK 25, which can send READY=1, and systemd then sends the SIGHUP itself (before it
# runs ExecReload=, so that one is only the check).
unit="$stage/usr/lib/systemd/system/oi.service"
sed -e 's|^ExecStart=/usr/local/bin/oi -c /etc/rinetd.conf$|ExecStart=/usr/bin/oi -c /etc/oi/rules.conf|' \
    -e 's|^# Install: .*|# Installed by the oi package; systemctl enable --now oi starts it.|' \
    -e '/^# Type=simple, not notify/,/^NotifyAccess=main$/c\
# Type=notify-reload: systemctl start returns once every rule listens (READY=1), and systemctl\
# reload sends SIGHUP itself and waits until oi has reread its rules (RELOADING=1, then READY=1);\
# systemctl status shows oi'"'"'s STATUS= line: its rules, or why a new file was rejected.\
Type=notify-reload\
NotifyAccess=main' \
    -e '/^# A reload checks the rules file first/,/^ExecReload=\/bin\/kill -HUP \$MAINPID$/c\
# systemd sends the SIGHUP (oi rereads the rules and reopens the log; live connections go on), then\
# runs this check alongside: a broken file fails `systemctl reload` visibly, and oi keeps its old\
# rules. systemd before 253 has no notify-reload; there the generator oi-notify-reload-fallback\
# makes this unit Type=notify and adds the SIGHUP after the check.\
ExecReload=/usr/bin/oi --check -c /etc/oi/rules.conf' \
    examples/oi.service > "$unit"
for line in 'ExecStart=/usr/bin/oi -c /etc/oi/rules.conf' 'Type=notify-reload' 'ExecReload=/usr/bin/oi --check -c /etc/oi/rules.conf'; do
    grep -qxF "$line" "$unit" || {
        echo "make package: examples/oi.service has no line to turn into \"$line\"" >&2; exit 1; }
done
if grep -q '/usr/local\|kill -HUP\|Type=simple' "$unit"; then
    echo "make package: examples/oi.service has lines the package does not adjust: $(grep '/usr/local\|kill -HUP\|Type=simple' "$unit")" >&2
    exit 1
fi
install -m 755 "$here/oi-notify-reload-fallback" "$stage/usr/lib/systemd/system-generators/oi-notify-reload-fallback"

"$here/train-aot.sh" "$stage/usr/bin/oi" "$lib/oi.aot" > target/deb/train.log 2>&1 || {
    cat target/deb/train.log >&2; echo "make package: the AOT training run failed" >&2; exit 1; }

install -m 644 "$here/conffiles" "$stage/DEBIAN/conffiles"
install -m 755 "$here/postinst" "$here/prerm" "$here/postrm" "$stage/DEBIAN/"
installed_size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@INSTALLED_SIZE@/$installed_size/" "$here/control" > "$stage/DEBIAN/control"
chmod -R u+rwX,go+rX,go-w "$stage"
# xz -z1: 6 % bigger than -z6 (the runtime is zip-compressed already) for a tenth of the time.
dpkg-deb --root-owner-group -Zxz -z1 --build "$stage" "$deb" >/dev/null
echo "$deb"
