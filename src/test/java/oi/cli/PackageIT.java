package oi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import oi.config.ConfigParser;
import oi.testing.OiProcess;
import oi.testing.Streams;
import oi.testing.TcpServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code make package} builds a .deb that carries everything oi needs: unpacked with {@code dpkg-deb -x}
 * into a temporary root, its {@code oi} forwards, reloads and stops on a machine with no java on the PATH.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PackageIT {

    @TempDir
    static Path root;

    private static Path deb;

    private static String run(Path directory, String... command) throws Exception {
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(150, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + "\n" + out).isZero();
        return out;
    }

    @BeforeAll
    static void buildAndUnpack() throws Exception {
        Path project = Path.of("").toAbsolutePath();
        String built = run(project, "make", "-s", "package").strip();
        deb = project.resolve(built.substring(built.lastIndexOf('\n') + 1));
        run(project, "dpkg-deb", "-x", deb.toString(), root.toString());
    }

    private static String jarVersion() throws Exception {
        try (JarFile jar = new JarFile("target/oi.jar")) {
            return jar.getManifest().getMainAttributes().getValue("Implementation-Version");
        }
    }

    @Test
    void theControlFieldsNameTheVersionOiPrints() throws Exception {
        String version = jarVersion();
        assertThat(deb.getFileName()).hasToString("oi_" + version + "_amd64.deb");
        String fields = run(root, "dpkg-deb", "-f", deb.toString(), "Package", "Version", "Architecture", "Depends");
        assertThat(fields).isEqualTo("Package: oi\nVersion: " + version + "\nArchitecture: amd64\nDepends: libc6 (>= 2.17)\n");
        assertThat(run(root, "dpkg-deb", "-I", deb.toString(), "conffiles")).isEqualTo("/etc/oi/rules.conf\n/etc/logrotate.d/oi\n");
        assertThat(Files.size(deb)).as("the .deb stays under 40 MB").isLessThan(40_000_000L);
    }

    @Test
    void theFileListHoldsLauncherRuntimeCacheDocsAndConfig() throws Exception {
        List<String> files = run(root, "dpkg-deb", "-c", deb.toString()).lines().map(line -> line.substring(line.lastIndexOf(' ') + 1)).toList();
        assertThat(files).contains("./usr/bin/oi", "./usr/lib/oi/oi.jar", "./usr/lib/oi/oi.aot", "./usr/lib/oi/runtime/bin/java",
                "./usr/lib/oi/runtime/bin/jcmd", "./usr/share/man/man8/oi.8.gz", "./usr/lib/systemd/system/oi.service",
                "./usr/lib/systemd/system-generators/oi-notify-reload-fallback",
                "./etc/logrotate.d/oi", "./etc/oi/rules.conf", "./usr/share/doc/oi/copyright", "./usr/share/doc/oi/examples/rules.conf");
        assertThat(files).as("no headers, man pages or jmods in the runtime")
                .noneMatch(file -> file.contains("/runtime/include/") || file.contains("/runtime/man/") || file.contains("/runtime/jmods/"));
        assertThat(Files.readString(root.resolve("usr/bin/oi"))).as("the packaged launcher is bin/oi itself")
                .isEqualTo(Files.readString(OiProcess.BIN_OI));
        String unit = Files.readString(root.resolve("usr/lib/systemd/system/oi.service"));
        assertThat(unit).contains("\nExecStart=/usr/bin/oi -c /etc/oi/rules.conf\n").doesNotContain("/usr/local");
        assertThat(unit).as("systemd sends the SIGHUP itself; ExecReload= only checks the file")
                .contains("\nType=notify-reload\n", "\nNotifyAccess=main\n", "\nExecReload=/usr/bin/oi --check -c /etc/oi/rules.conf\n")
                .doesNotContain("kill -HUP", "Type=simple");
    }

    @ParameterizedTest(name = "systemd {0}")
    @CsvSource({"252, true", "253, false", "257, false"})
    void onSystemdBefore253TheGeneratorMakesTheUnitTypeNotifyWithTheSighupAfterTheCheck(int systemd, boolean fallback) throws Exception {
        Path bin = Files.createDirectories(root.resolve("systemd-" + systemd + "-bin"));
        Path systemctl = Files.writeString(bin.resolve("systemctl"), "#!/bin/sh\necho 'systemd " + systemd + " (" + systemd + ".1-1)'\n");
        systemctl.toFile().setExecutable(true);
        Path out = Files.createDirectories(root.resolve("generated-" + systemd));
        Path generator = root.resolve("usr/lib/systemd/system-generators/oi-notify-reload-fallback");
        run(root, "env", "PATH=" + bin + ":/usr/bin:/bin", generator.toString(), out.toString(), out + "-early", out + "-late");
        Path dropIn = out.resolve("oi.service.d/zz-notify-reload-fallback.conf");
        if (fallback) {
            assertThat(Files.readString(dropIn)).endsWith("\n[Service]\nType=notify\nExecReload=/bin/kill -HUP $MAINPID\n");
        } else {
            assertThat(out).isEmptyDirectory();
        }
    }

    @Test
    void theRuntimeHasOnlyTheModulesOiNeeds() throws Exception {
        String release = Files.readString(root.resolve("usr/lib/oi/runtime/release"));
        assertThat(release).contains("MODULES=\"java.base ").contains("jdk.httpserver").contains("jdk.jfr").doesNotContain("java.desktop")
                .doesNotContain("java.sql").doesNotContain("jdk.compiler");
    }

    @Test
    void thePackagedRulesFileAndItsCommentedExamplesParse() throws Exception {
        Path packaged = root.resolve("etc/oi/rules.conf");
        new ConfigParser().parse(packaged);
        // The commented-out lines are what an admin uncomments: they must be valid too.
        Pattern setting = Pattern.compile("(?m)^# ((?:allow|deny|logfile|pidlogfile|logcommon)\\b.*|[0-9\\[].*)$");
        Path uncommented = Files.writeString(root.resolve("uncommented.conf"), setting.matcher(Files.readString(packaged)).replaceAll("$1"));
        assertThat(new ConfigParser().parse(uncommented).rules()).hasSize(1);
    }

    @Test
    void theUnpackedOiUsesItsAotCacheSilently() throws Exception {
        Path oi = root.resolve("usr/bin/oi");
        assertThat(run(root, "env", "-i", "PATH=" + pathWithoutJava(), oi.toString(), "--version")).isEqualTo("oi " + jarVersion() + "\n");
        assertThat(run(root, "env", "-i", "PATH=" + pathWithoutJava(), "OI_JAVA_OPTS=-Xlog:aot", oi.toString(), "--version"))
                .as("the cache matches the runtime and jar it was trained with, wherever they are unpacked")
                .contains("Using AOT-linked classes: true");
        assertThat(run(root, "env", "-i", "PATH=" + pathWithoutJava(), "OI_JAVA_OPTS=-XX:+UseG1GC -Xmx64m", oi.toString(), "--version"))
                .as("OI_JAVA_OPTS overrides the launcher's collector too").isEqualTo("oi " + jarVersion() + "\n");
    }

    @Test
    void theUnpackedOiForwardsReloadsAndStopsWithNoJavaOnThePath() throws Exception {
        long size = 64L * 1024 * 1024;
        Path dir = Files.createDirectories(root.resolve("run"));
        int port = OiProcess.freePort();
        int second = OiProcess.freePort();
        List<String> noJava = List.of("env", "-i", "PATH=" + pathWithoutJava());
        CompletableFuture<Streams.Received> atBackend = new CompletableFuture<>();
        try (TcpServer sink = TcpServer.start(socket -> atBackend.complete(Streams.receive(socket.getInputStream())));
             TcpServer echo = TcpServer.echo();
             OiProcess oi = OiProcess.start(root.resolve("usr/bin/oi"), dir, rule(port, sink.port()), noJava).awaitListening(port)) {
            String sent = Streams.sendThrough(port, size, 16);
            assertThat(atBackend.get(60, TimeUnit.SECONDS)).isEqualTo(new Streams.Received(sent, size));

            Files.writeString(dir.resolve("rules.conf"), rule(port, sink.port()) + rule(second, echo.port()));
            new ProcessBuilder("kill", "-HUP", Long.toString(oi.process().pid())).start().waitFor();
            oi.awaitListening(second);
            try (Socket client = new Socket("127.0.0.1", second)) {
                client.getOutputStream().write("after reload".getBytes(StandardCharsets.US_ASCII));
                client.shutdownOutput();
                assertThat(client.getInputStream().readAllBytes()).asString(StandardCharsets.US_ASCII).isEqualTo("after reload");
            }

            assertThat(oi.stop()).as(oi.stderr()).isZero();
            assertThat(oi.stderr()).as("the runtime has what the manifest opens; the AOT cache says nothing")
                    .contains("reloaded").doesNotContain("WARNING").doesNotContain("[error").doesNotContain("[warning");
        }
    }

    private static String rule(int port, int backendPort) {
        return "127.0.0.1 " + port + " 127.0.0.1 " + backendPort + "\n";
    }

    /** A directory with only the few tools the launcher calls, so no java can be found on the PATH. */
    private static String pathWithoutJava() throws Exception {
        Path bin = root.resolve("no-java-bin");
        if (Files.notExists(bin)) {
            Files.createDirectories(bin);
            for (String tool : List.of("dirname", "readlink")) {
                Files.copy(Path.of(run(root, "sh", "-c", "command -v " + tool).strip()), bin.resolve(tool), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        assertThat(bin.resolve("java")).doesNotExist();
        return bin.toString();
    }
}
