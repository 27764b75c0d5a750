package oi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** make install into a temporary prefix gives a working oi; make uninstall leaves nothing behind. */
class InstallIT {

    private static String run(Path directory, String... command) throws Exception {
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void installedOiRunsFromAnywhereAndUninstallRemovesEverything(@TempDir Path prefix) throws Exception {
        Path project = Path.of("").toAbsolutePath();
        run(project, "make", "-s", "install", "PREFIX=" + prefix);
        assertThat(prefix.resolve("share/man/man8/oi.8")).exists();
        assertThat(prefix.resolve("share/doc/oi/examples/rules.conf")).exists();
        assertThat(run(Path.of("/"), prefix.resolve("bin/oi").toString(), "--version")).isEqualTo("oi 0.1.0\n");
        run(project, "make", "-s", "uninstall", "PREFIX=" + prefix);
        try (Stream<Path> left = Files.walk(prefix)) {
            assertThat(left.filter(Files::isRegularFile)).isEmpty();
        }
    }

    @Test
    void theManPageDocumentsEveryFlagOfTheHelp() throws Exception {
        String help = run(Path.of("").toAbsolutePath(), "bin/oi", "--help");
        String manPage = Files.readString(Path.of("docs/oi.8"));
        java.util.regex.Matcher flags = java.util.regex.Pattern.compile("(?m)^\\s+(?:-\\w, )?(--[a-z-]+)").matcher(help);
        int count = 0;
        while (flags.find()) {
            count++;
            assertThat(manPage.replace("\\-", "-")).as("docs/oi.8 documents " + flags.group(1)).contains(flags.group(1));
        }
        assertThat(count).isGreaterThan(10);
    }
}
