package oi.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** {@code bin/oi} as a separate process, started from rules text, for end-to-end tests. */
public final class OiProcess implements AutoCloseable {
    /** The launcher, resolved from the project directory the tests run in. */
    public static final Path BIN_OI = Path.of("bin/oi").toAbsolutePath();
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private final Process process;
    private final Path dir;

    private OiProcess(Process process, Path dir) {
        this.process = process;
        this.dir = dir;
    }

    /**
     * Writes {@code rules} to {@code dir/rules.conf} and runs {@code prefix... bin/oi -c it flags...},
     * where a prefix such as {@code prlimit --nofile=N} wraps the launcher.
     */
    public static OiProcess start(Path dir, String rules, List<String> prefix, String... flags) throws IOException {
        return start(BIN_OI, dir, rules, prefix, flags);
    }

    /** Runs another launcher than {@code bin/oi} the same way, such as the one in an unpacked package. */
    public static OiProcess start(Path launcher, Path dir, String rules, List<String> prefix, String... flags) throws IOException {
        Path conf = Files.writeString(dir.resolve("rules.conf"), rules);
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(launcher.toString(), "-c", conf.toString()));
        command.addAll(List.of(flags));
        Process process = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(dir.resolve("stdout").toFile()).redirectError(dir.resolve("stderr").toFile()).start();
        return new OiProcess(process, dir);
    }

    /**
     * Runs oi's main class in a JVM of its own with the test classes on its classpath, so that
     * test-only services (such as {@link SlowResolverProvider}) load in it; {@code jvmOptions}
     * come before the class, {@code flags} after {@code -c rules.conf}.
     */
    public static OiProcess startWithTestClasses(Path dir, String rules, List<String> jvmOptions, String... flags)
            throws IOException {
        return startClasses(dir, rules, List.of(), List.of(Path.of("target/oi.jar"), Path.of("target/test-classes")), jvmOptions, flags);
    }

    /**
     * Runs oi's main class from {@code classpath} in a JVM of its own, after {@code prefix} (such
     * as {@code env NAME=VALUE}); {@code target/classes} before the jar gives JDK 21's classes,
     * since only a jar is read as multi-release.
     */
    public static OiProcess startClasses(Path dir, String rules, List<String> prefix, List<Path> classpath, List<String> jvmOptions,
            String... flags) throws IOException {
        Path conf = Files.writeString(dir.resolve("rules.conf"), rules);
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
                "--enable-native-access=ALL-UNNAMED"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", String.join(":", classpath.stream().map(path -> path.toAbsolutePath().toString()).toList()),
                "oi.cli.Main", "-c", conf.toString()));
        command.addAll(List.of(flags));
        Process process = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(dir.resolve("stdout").toFile()).redirectError(dir.resolve("stderr").toFile()).start();
        return new OiProcess(process, dir);
    }

    /** Starts {@code bin/oi} with no prefix. */
    public static OiProcess start(Path dir, String rules, String... flags) throws IOException {
        return start(dir, rules, List.of(), flags);
    }

    /**
     * A port that was free a moment ago, for rules that a separate process must bind; never one
     * handed out before in this JVM, as the kernel may give a port just closed to the next probe.
     */
    public static int freePort() throws IOException {
        while (true) {
            try (ServerSocket probe = new ServerSocket(0)) {
                if (HANDED_OUT.add(probe.getLocalPort())) {
                    return probe.getLocalPort();
                }
            }
        }
    }

    /** Waits for oi's "listening on" line for the port, so no probe connection disturbs the test. */
    public OiProcess awaitListening(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline && process.isAlive()) {
            String log = stderr();
            if (log.contains("listening on 127.0.0.1:" + port + " ") || log.contains("listening on 127.0.0.1:" + port + "/udp ")) {
                return this;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("oi did not listen on " + port + ": " + stderr());
    }

    /** Everything oi wrote to stderr so far. */
    public String stderr() throws IOException {
        return Files.readString(dir.resolve("stderr"));
    }

    /** The process, for signals, exit codes and its pid. */
    public Process process() {
        return process;
    }

    /** Resident memory in KiB, from /proc/PID/status. */
    public long rssKiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new IOException("no VmRSS for " + process.pid());
    }

    /** CPU seconds used so far (user + system), from /proc/PID/stat. */
    public double cpuSeconds() throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0; // utime, stime in clock ticks
    }

    /** Sends SIGTERM and waits for the exit; returns the exit status. */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
        return process.exitValue();
    }

    /** Stops the process if it still runs, and keeps what it wrote for the test's log (shown if the test fails). */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
        for (String stream : List.of("stdout", "stderr")) {
            try {
                QuietLogs.attach("bin/oi " + stream + " (pid " + process.pid() + ")", Files.readString(dir.resolve(stream)));
            } catch (IOException e) {
                QuietLogs.attach("bin/oi " + stream, "cannot read it: " + e + "\n");
            }
        }
    }
}
