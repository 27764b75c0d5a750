package oi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code oi --check}: a good file gives one line per rule and exit 0, a bad one its start errors and exit 2; neither binds. */
class RulesCheckTest {

    @TempDir
    Path dir;

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    /** Binding the port proves that the check left it free. */
    private static void assertFree(int port) throws IOException {
        new ServerSocket(port, 1, InetAddress.getLoopbackAddress()).close();
    }

    @Test
    void aGoodFileGivesOneLinePerRuleWithIncludesLookedUpNamesOptionsAndAccessAndBindsNothing() throws Exception {
        int port = freePort();
        Files.createDirectory(dir.resolve("oi.d"));
        Path included = Files.writeString(dir.resolve("oi.d/udp.conf"), "127.0.0.1 9000 127.0.0.1 9001/udp\n");
        Path rules = Files.writeString(dir.resolve("rules.conf"), """
                allow 10.0.0.0/8
                127.0.0.1 %d localhost 80 [maxconns=200,idle=300,proxy=v1]
                deny 10.0.0.13
                [::1] 5353/udp 127.0.0.1 53/udp [timeout=30,src=127.0.0.1]
                unix:%s 127.0.0.1 ssh
                include oi.d/*.conf
                127.0.0.1 19000-19002 127.0.0.1 8000-8002
                127.0.0.1 19100 127.0.0.1 80 [balance=leastconn,check=5]
                backend 127.0.0.1 81 [weight=2,backup]
                """.formatted(port, dir.resolve("oi.sock")));

        for (String flag : new String[] {"--check", "-t"}) {
            CommandLineTest.Result result = CommandLineTest.run(flag, "-c", rules.toString());
            assertThat(result.code()).isEqualTo(ExitCode.OK);
            assertThat(result.err()).isEmpty();
            assertThat(result.out().lines()).containsExactly(
                    rules + ":2: 127.0.0.1:" + port + "/tcp -> localhost:80/tcp (127.0.0.1) [maxconns=200,idle=300,proxy=v1] deny 10.0.0.13",
                    rules + ":4: [::1]:5353/udp -> 127.0.0.1:53/udp [timeout=30,src=127.0.0.1]",
                    rules + ":5: unix:" + dir.resolve("oi.sock") + " -> 127.0.0.1:22/tcp",
                    included + ":1: 127.0.0.1:9000/tcp -> 127.0.0.1:9001/udp",
                    rules + ":7: 127.0.0.1:19000/tcp -> 127.0.0.1:8000/tcp (a range of 3 ports, to 127.0.0.1:19002)",
                    rules + ":8: 127.0.0.1:19100/tcp -> 127.0.0.1:80/tcp [balance=leastconn,check=5] backend 127.0.0.1:81/tcp weight=2 backup");
        }
        assertFree(port);
        assertThat(dir.resolve("oi.sock")).as("no socket file made").doesNotExist();
    }

    @Test
    void aFileWithoutRulesSaysSo() throws Exception {
        Path rules = Files.writeString(dir.resolve("rules.conf"), "# nothing forwarded yet\nallow 10.*\n");
        CommandLineTest.Result result = CommandLineTest.run("--check", "-c", rules.toString());
        assertThat(result.code()).isEqualTo(ExitCode.OK);
        assertThat(result.out().lines()).containsExactly(rules + ": no forwarding rules");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            bad port             | 127.0.0.1 99999 127.0.0.1 80                  | :2: port "99999" out of range (1-65535)
            unknown option       | 127.0.0.1 81 127.0.0.1 80 [frob=1]            | :2: unknown option "frob=1" (known: timeout=N, src=ADDRESS, maxconns=N, idle=N, proxy=VERSION, acceptproxy=VERSION, proxyfrom=PATTERN, rate=SIZE, rulerate=SIZE, balance=STRATEGY, check=N, maxfails=N, failtimeout=N)
            missing include      | include missing.conf                          | :2: cannot read included file "DIR/missing.conf"
            unresolvable host    | 127.0.0.1 82 no.such.host.invalid 80          | :2: cannot resolve host "no.such.host.invalid"
            proxy on a udp rule  | 127.0.0.1 83/udp 127.0.0.1 80/udp [proxy=v2]  | :2: proxy= applies to TCP-to-TCP rules only
            a backend twice      | backend 127.0.0.1 9                           | :2: backend 127.0.0.1:9 is already a backend of this rule
            reversed port range  | 127.0.0.1 90-80 127.0.0.1 80                  | :2: port range "90-80" must run upwards, e.g. 10000-10999
            """)
    void aBadFileGivesTheStartErrorsWithFileAndLineExitsTwoAndBindsNothing(String kind, String badLine, String message) throws Exception {
        int port = freePort();
        Path rules = Files.writeString(dir.resolve("rules.conf"), "127.0.0.1 " + port + " 127.0.0.1 9\n" + badLine + "\n");
        CommandLineTest.Result check = CommandLineTest.run("--check", "-c", rules.toString());
        assertThat(check.code()).isEqualTo(ExitCode.CMDERR);
        assertThat(check.out()).as("no rule lines for a file that cannot run").isEmpty();
        assertThat(check.err()).isEqualTo("oi: " + rules + message.replace("DIR", dir.toString()) + System.lineSeparator())
                .doesNotContain("Exception");
        assertFree(port);
        assertThat(CommandLineTest.run("-c", rules.toString()).err()).as("the same line a start gives").isEqualTo(check.err());
    }

    @Test
    void aMissingFileIsNamedAndExitsTwo() {
        Path missing = dir.resolve("missing.conf");
        CommandLineTest.Result result = CommandLineTest.run("-t", "-c", missing.toString());
        assertThat(result.code()).isEqualTo(ExitCode.CMDERR);
        assertThat(result.err()).isEqualTo("oi: " + missing + ": no such rules file" + System.lineSeparator());
    }
}
