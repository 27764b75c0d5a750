#!/usr/bin/env python3
"""The footprint of the packaged oi against rinetd and haproxy (docs/experiments.md, "Footprint").

Usage: flock /tmp/oi-bench.lock packaging/deb/footprint.py [--runs 10] [--throughput-reps 3]
Unpacks target/oi_*_amd64.deb into a temporary root and measures, for each setting:
time to listening (launch until a connect() to the bound port succeeds, median of --runs starts),
idle RSS, PSS (/proc/PID/smaps_rollup) and threads 3 s after the start (median of 3 of those
starts), the first second's new connections through it, and iperf3 throughput at P=1 and P=8
through oi with the package's launcher against other JVM settings, interleaved, in the same run.
"""
import argparse
import atexit
import glob
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

PROJECT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
JDK = subprocess.run([os.path.join(PROJECT, "bin/java-home")], capture_output=True, text=True, check=True).stdout.strip()


STARTED = []


@atexit.register
def stop_all():
    """Leaves no forwarder, backend or iperf3 server behind, even when a measurement fails."""
    for process in STARTED:
        if process.poll() is None:
            process.kill()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(command, env, port, stderr, log=None):
    """Launches command; returns (process, seconds until a connect() to port succeeds, or until
    oi's log file says it listens: a probe connection would disturb an iperf3 backend)."""
    began = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
    STARTED.append(process)
    while True:
        if log is not None:
            if f"listening on 127.0.0.1:{port} " in open(log).read():
                return process, time.perf_counter() - began
        else:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    return process, time.perf_counter() - began
        if process.poll() is not None or time.perf_counter() - began > 20:
            raise RuntimeError(f"{command} did not listen on {port}")
        time.sleep(0.0005)


def stop(process):
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def memory(pid):
    """(RSS MB, PSS MB, threads) of a process, from /proc."""
    fields = {}
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        for line in rollup:
            parts = line.split()
            if parts[0] in ("Rss:", "Pss:"):
                fields[parts[0]] = int(parts[1]) / 1024
    with open(f"/proc/{pid}/status") as status:
        threads = next(int(line.split()[1]) for line in status if line.startswith("Threads:"))
    return fields["Rss:"], fields["Pss:"], threads


class Setting:
    """One way of running a forwarder: how to write its config for a port pair, and its command."""

    def __init__(self, name, kind, command=None, java_opts=None):
        self.name, self.kind, self.command, self.java_opts = name, kind, command, java_opts

    def launch(self, work, port, backend_port, probe=True):
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
        if self.kind == "haproxy":
            conf = os.path.join(work, "haproxy.cfg")
            with open(conf, "w") as out:
                out.write("defaults\n  mode tcp\n  timeout connect 5s\n  timeout client 1h\n  timeout server 1h\n"
                          f"listen fwd\n  bind 127.0.0.1:{port}\n  server backend 127.0.0.1:{backend_port}\n")
            command = ["haproxy", "-db", "-f", conf]
        else:
            conf = os.path.join(work, "rules.conf")
            with open(conf, "w") as out:
                out.write(f"127.0.0.1 {port} 127.0.0.1 {backend_port}\n")
            command = self.command + ["-c", conf] + (["-f"] if self.kind == "rinetd" else [])
        if self.java_opts is not None:
            env["OI_JAVA_OPTS"] = self.java_opts
        log = os.path.join(work, self.name.replace(" ", "_") + f"-{port}.err")
        return start(command, env, port, open(log, "ab"), None if probe else log)


def connection_rate(port):
    """New connections completed in the first second after listening (connect, one byte, close)."""
    count, deadline = 0, time.perf_counter() + 1.0
    while time.perf_counter() < deadline:
        with socket.create_connection(("127.0.0.1", port)) as client:
            client.sendall(b"x")
            client.recv(1)
        count += 1
    return count


def iperf(port, streams):
    """Gbit/s received through the forwarder; retried while the iperf3 server finishes the last test."""
    for attempt in range(3):
        out = subprocess.run(["iperf3", "-c", "127.0.0.1", "-p", str(port), "-t", "5", "-O", "1", "-P", str(streams), "-J"],
                             capture_output=True, text=True).stdout
        result = json.loads(out)
        if "error" not in result:
            return result["end"]["sum_received"]["bits_per_second"] / 1e9
        print(f"# iperf3 -P {streams}: {result['error']}", file=sys.stderr)
        time.sleep(1)
    raise RuntimeError(f"iperf3 -P {streams} failed 3 times")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--throughput-reps", type=int, default=3)
    args = parser.parse_args()
    deb = sorted(glob.glob(os.path.join(PROJECT, "target/oi_*_amd64.deb")))[-1]
    work = tempfile.mkdtemp(prefix="oi-footprint-")
    root = os.path.join(work, "root")
    subprocess.run(["dpkg-deb", "-x", deb, root], check=True)
    # The same package with an uncompressed runtime (jlink --compress=zip-0), its cache retrained.
    root0 = os.path.join(work, "root-zip0")
    shutil.copytree(root, root0, symlinks=True)
    shutil.rmtree(os.path.join(root0, "usr/lib/oi/runtime"))
    os.remove(os.path.join(root0, "usr/lib/oi/oi.aot"))
    release = open(os.path.join(root, "usr/lib/oi/runtime/release")).read()
    modules = next(line for line in release.splitlines() if line.startswith("MODULES=")).split("=", 1)[1].strip('"').replace(" ", ",")
    subprocess.run([os.path.join(JDK, "bin/jlink"), "--add-modules", modules, "--strip-debug", "--no-man-pages",
                    "--no-header-files", "--compress=zip-0", "--output", os.path.join(root0, "usr/lib/oi/runtime")], check=True)
    subprocess.run([os.path.join(PROJECT, "packaging/deb/train-aot.sh"), os.path.join(root0, "usr/bin/oi"),
                    os.path.join(root0, "usr/lib/oi/oi.aot")], check=True, capture_output=True)

    oi = [os.path.join(root, "usr/bin/oi")]
    before = [os.path.join(JDK, "bin/java"), "-jar", os.path.join(PROJECT, "target/oi.jar")]
    footprint = [
        Setting("oi package", "oi", oi),
        Setting("oi package, no AOT cache", "oi", oi, "-XX:AOTMode=off"),
        Setting("oi package, runtime zip-0", "oi", [os.path.join(root0, "usr/bin/oi")]),
        Setting("oi package, C1 only", "oi", oi, "-XX:TieredStopAtLevel=1"),
        Setting("oi, JDK 25 defaults", "oi", before),
        Setting("rinetd", "rinetd", ["rinetd"]),
        Setting("haproxy", "haproxy"),
    ]
    echo = subprocess.Popen([os.path.join(JDK, "bin/java"), "-jar", os.path.join(PROJECT, "target/oi.jar"), "bench",
                             "echo-server", "--port", "0"], stdout=subprocess.PIPE, text=True)
    STARTED.append(echo)
    echo_port = int(echo.stdout.readline().strip().split("=")[1])
    print(f"# {deb} ({os.path.getsize(deb) / 1e6:.1f} MB), installed "
          f"{int(subprocess.run(['du', '-sk', root], capture_output=True, text=True).stdout.split()[0]) / 1024:.1f} MiB; "
          f"{args.runs} starts each, interleaved")
    results = {s.name: {"ttl": [], "mem": [], "rate": []} for s in footprint}
    for run in range(args.runs):  # --runs 0: throughput only
        for setting in footprint:
            port = free_port()
            process, ttl = setting.launch(work, port, echo_port)
            results[setting.name]["ttl"].append(ttl * 1000)
            if run < 3:
                results[setting.name]["rate"].append(connection_rate(port))
                time.sleep(3)
                results[setting.name]["mem"].append(memory(process.pid))
            stop(process)
    if args.runs:
        print_footprint(footprint, results)
    echo.terminate()
    throughput(args, work, oi)
    shutil.rmtree(work)


def print_footprint(footprint, results):
    print("| setting | time to listening ms (median, min–max) | first-second connections | idle RSS MB | idle PSS MB | threads |")
    print("|---|---|---|---|---|---|")
    for setting in footprint:
        r = results[setting.name]
        rss, pss, threads = (statistics.median(m[i] for m in r["mem"]) for i in range(3))
        print(f"| {setting.name} | {statistics.median(r['ttl']):.0f} ({min(r['ttl']):.0f}–{max(r['ttl']):.0f}) "
              f"| {statistics.median(r['rate']):.0f} | {rss:.1f} | {pss:.1f} | {threads:.0f} |")


def throughput(args, work, oi):
    if args.throughput_reps:
        iperf_port = free_port()
        server = subprocess.Popen(["iperf3", "-s", "-p", str(iperf_port)], stdout=subprocess.DEVNULL)
        STARTED.append(server)
        time.sleep(0.5)
        speed = [
            Setting("oi package", "oi", oi),
            Setting("oi package, C1 only", "oi", oi, "-XX:TieredStopAtLevel=1"),
            Setting("oi package, JDK defaults for speed (G1, 384m initial heap, no direct limit)", "oi", oi,
                    "-XX:+UseG1GC -Xms384m -XX:MaxDirectMemorySize=6g -Xss1m"),
        ]
        gbits = {s.name: {1: [], 8: []} for s in speed}
        for _ in range(args.throughput_reps):
            for setting in speed:
                port = free_port()
                process, _ = setting.launch(work, port, iperf_port, probe=False)
                for streams in (1, 8):
                    gbits[setting.name][streams].append(iperf(port, streams))
                stop(process)
        print(f"\n| setting ({args.throughput_reps} interleaved reps, median) | P=1 Gbit/s | P=8 Gbit/s |")
        print("|---|---|---|")
        for setting in speed:
            print(f"| {setting.name} | {statistics.median(gbits[setting.name][1]):.2f} | {statistics.median(gbits[setting.name][8]):.2f} |")
        server.terminate()


if __name__ == "__main__":
    sys.exit(main())
