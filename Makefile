# oi: the two commands a newcomer needs are `make run` and `make test`.
# Both find a JDK >= 21 by themselves (bin/java-home) and install Maven when it is missing.

JAVA_HOME := $(shell bin/java-home)
export JAVA_HOME
MVN := mvn -B -ntp
CONF ?= examples/rules.conf
ARGS ?=

.PHONY: all build run test soak experiment profile install uninstall package package-install-check man docs clean deps check-java

all: build

check-java:
	@test -n "$(JAVA_HOME)" || { echo "make: no JDK >= 21 found (see bin/java-home)" >&2; exit 1; }

# Maven from Debian's packages when it is not there (works as root, as on the project machines).
deps: check-java
	@command -v mvn >/dev/null 2>&1 || { echo "installing maven (apt-get)" >&2; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq maven >/dev/null; }

target/oi.jar: pom.xml $(shell find src/main -type f 2>/dev/null)
	@$(MAKE) -s deps
	$(MVN) -q package -DskipTests

# The checkout's AOT cache (JDK 25 and later): classes loaded and linked ahead, so that a restarted
# oi is fast at once. Trained by one short run through bin/oi; a JDK without the option, or a
# failed training, leaves no cache and oi starts as before.
target/oi.aot: target/oi.jar
	@rm -f $@
	@if [ "$$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$(JAVA_HOME)/release")" -ge 25 ]; then \
	  packaging/deb/train-aot.sh bin/oi $@ > target/train-aot.log 2>&1 \
	    || { echo "make: the AOT training run failed, oi runs without the cache (target/train-aot.log)" >&2; rm -f $@; }; fi

## build: the runnable jar with its dependencies inside, target/oi.jar, and its AOT cache
build: target/oi.jar target/oi.aot

## run: forward traffic with the example rules (Ctrl-C stops)
run: build
	bin/oi -c $(CONF) $(ARGS)

## test: the whole test suite (unit and end-to-end, real sockets on loopback)
test: deps
	$(MVN) verify

## soak: the fault mix of the tests, round after round for SOAK_SECONDS (default 600); not in CI
SOAK_SECONDS ?= 600
soak: deps
	$(MVN) test -Dtest='FaultsTest#soak' -Doi.excludedGroups=none -Dgroups=soak -Doi.soak.seconds=$(SOAK_SECONDS) -Dsurefire.failIfNoSpecifiedTests=false

## experiment: the buffer and thread-model study against direct, rinetd and haproxy (as root; 5 interleaved repeats, ~112 min on 2 cores; QUICK=1 ~9 min; PIN=1 pins the forwarder to CPU 1) in results/
experiment: build
	bench/experiment.sh

## profile: a CPU flame graph of oi under iperf3 load, kernel frames included (async-profiler, cpu mode; itimer where perf events are missing) in results/
profile: build
	bench/profile.sh

## install: the jar, bin/oi, the man page and the examples under PREFIX (DESTDIR honoured)
PREFIX ?= /usr/local
INSTALLED := $(DESTDIR)$(PREFIX)
install: build
	install -d $(INSTALLED)/bin $(INSTALLED)/lib/oi $(INSTALLED)/share/man/man8 $(INSTALLED)/share/doc/oi/examples
	install -m 644 target/oi.jar $(INSTALLED)/lib/oi/oi.jar
	install -m 755 bin/java-home $(INSTALLED)/lib/oi/java-home
	install -m 755 bin/oi $(INSTALLED)/bin/oi
	install -m 644 docs/oi.8 $(INSTALLED)/share/man/man8/oi.8
	install -m 644 examples/* $(INSTALLED)/share/doc/oi/examples/

## uninstall: removes exactly what install put there
uninstall:
	rm -f $(INSTALLED)/bin/oi $(INSTALLED)/lib/oi/oi.jar $(INSTALLED)/lib/oi/java-home $(INSTALLED)/share/man/man8/oi.8
	rm -rf $(INSTALLED)/share/doc/oi
	rmdir $(INSTALLED)/lib/oi 2>/dev/null || true

## package: target/oi_<version>_amd64.deb, with its own Java runtime and AOT cache (needs a JDK 25)
package: build
	packaging/deb/build.sh

## package-install-check: dpkg -i, start, stop, upgrade, remove, purge on this machine (as root; not in CI)
package-install-check: package
	packaging/deb/install-check.sh

## man: docs/oi.8 from docs/oi.md
man:
	python3 docs/md2man.py

## docs: the Javadoc of every package, warnings counted as errors
docs: deps
	$(MVN) -q javadoc:javadoc

clean:
	rm -rf target
