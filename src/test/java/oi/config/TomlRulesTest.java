package oi.config;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import oi.cli.ExitCode;
import oi.cli.Main;
import oi.rules.Config;
import oi.rules.Endpoint.Protocol;
import oi.rules.ForwardRule;
import oi.settings.Settings;
import oi.testing.RunningForwarder;
import oi.testing.TcpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** oxidinetd's TOML rules: the same records as rinetd's lines, and errors that point into the TOML. */
class TomlRulesTest {
    private static final Path FILE = Path.of("/etc/oi/config.toml");
    private static final Path EXAMPLE = Path.of("examples/rules.toml");
    private static final String RULE = """
            [[forwarding_rules]]
            bind_address = "127.0.0.1"
            bind_port = 8080
            connect_address = "127.0.0.1"
            connect_port = 8000
            """;
    private static final String KNOWN_KEYS = " (known: bind_address, bind_port, connect_address, connect_port, protocol, timeout, balance, check, maxfails, failtimeout, backends)";

    @TempDir
    Path dir;

    private static Config parse(Path file, String text) throws ConfigException {
        return new ConfigParser().parse(file, text);
    }

    private static List<String> errors(String text) {
        try {
            parse(FILE, text);
        } catch (ConfigException e) {
            return e.errors().stream().map(ConfigError::toString).toList();
        }
        throw new AssertionError("expected errors for: " + text);
    }

    @Test
    void aTomlFileMeansTheSameRulesAsItsRinetdTwin() throws Exception {
        Config toml = new ConfigParser().parse(EXAMPLE);
        Config twin = new ConfigParser().parse(Path.of("examples/rules-twin.conf"));
        assertThat(toml.rules()).hasSize(2);
        for (int i = 0; i < toml.rules().size(); i++) {
            ForwardRule a = toml.rules().get(i);
            ForwardRule b = twin.rules().get(i);
            assertThat(a.bind()).isEqualTo(b.bind());
            assertThat(a.connect()).isEqualTo(b.connect());
            assertThat(a.options()).isEqualTo(b.options());
        }
        assertThat(toml.globalAccess().allow()).extracting(p -> p.text()).containsExactly("127.0.0.*");
    }

    @Test
    void backendsInTomlMeanTheSameAsBackendLines() throws Exception {
        Config toml = new ConfigParser().parse(Path.of("examples/backends.toml"));
        Config twin = new ConfigParser().parse(Path.of("examples/backends.conf"));
        assertThat(toml.rules()).hasSize(3);
        for (int i = 0; i < toml.rules().size(); i++) {
            assertThat(toml.rules().get(i).backends()).isEqualTo(twin.rules().get(i).backends());
            assertThat(toml.rules().get(i).options()).isEqualTo(twin.rules().get(i).options());
        }
        assertThat(toml.rules().get(0).backends()).extracting(Object::toString)
                .containsExactly("10.0.0.5:80", "10.0.0.6:80", "10.0.0.7:80 weight=2", "10.0.0.9:80 backup");
    }

    @Test
    void aPortRangeInTomlIsOneRulePerPort() throws Exception {
        Config config = parse(FILE, """
                [[forwarding_rules]]
                bind_address = "0.0.0.0"
                bind_port = "10000-10002"
                connect_address = "10.0.0.5"
                connect_port = "20000-20002"
                protocol = "udp"
                """);
        assertThat(config.rules()).extracting(rule -> rule.bind() + ">" + rule.connect())
                .containsExactly("0.0.0.0:10000/udp>10.0.0.5:20000/udp", "0.0.0.0:10001/udp>10.0.0.5:20001/udp",
                        "0.0.0.0:10002/udp>10.0.0.5:20002/udp");
    }

    @Test
    void badBackendsInTomlAreReportedAtTheirLines() {
        assertThat(errors(RULE + """
                balance = "fastest"
                backends = [
                    { address = "10.0.0.6" },
                    { address = "10.0.0.7", port = 80, weight = 0 },
                    { address = "10.0.0.8", port = 80, backup = "yes" },
                    { address = "10.0.0.9", port = 80, colour = "blue" },
                ]
                """)).containsExactly(
                "/etc/oi/config.toml:1: balance must be roundrobin or leastconn or random or iphash, got \"fastest\"",
                "/etc/oi/config.toml:8: [[backends]] needs port",
                "/etc/oi/config.toml:9: weight 0 out of range (1-999999999)",
                "/etc/oi/config.toml:10: backup must be true or false, got \"yes\"",
                "/etc/oi/config.toml:11: [[backends]] has no key \"colour\" (known: address, port, weight, backup)");
        assertThat(errors(RULE + """
                check = "often"
                """)).containsExactly("/etc/oi/config.toml:6: check must be a whole number, got \"often\"");
    }

    /** The rules of examples/rules.toml, written the other ways TOML allows. */
    static Stream<Arguments> theExampleInOtherTomlForms() throws Exception {
        return Stream.of(
                Arguments.of("an inline array of inline tables", """
                        global_rules = [ { type = "allow", pattern = "127.0.0.*" } ]
                        forwarding_rules = [ { bind_address = "127.0.0.1", bind_port = 8080, connect_address = "127.0.0.1", \
                        connect_port = 8000, protocol = "tcp" }, { bind_address = "127.0.0.1", bind_port = 5353, \
                        connect_address = "127.0.0.53", connect_port = 53, protocol = "udp", timeout = 30 } ]
                        """),
                Arguments.of("multi-line arrays with comments and a trailing comma, then [[...]] tables", """
                        # oxidinetd, written the compact way
                        forwarding_rules = [
                          # the web server; tcp is the default
                          { bind_address = "127.0.0.1", bind_port = 8080, connect_address = "127.0.0.1", connect_port = 8000 },

                          { bind_address = "127.0.0.1", bind_port = 5353, connect_address = "127.0.0.53", connect_port = 53, \
                        protocol = "udp", timeout = 30 },  # the resolver
                        ]

                        [[global_rules]]
                        type = "allow"
                        pattern = "127.0.0.*"
                        """),
                Arguments.of("literal and multi-line strings, quoted keys, other integer forms, any key order", """
                        [[global_rules]]
                        'pattern' = '127.0.0.*'
                        "type" = 'allow'

                        [[forwarding_rules]]
                        connect_port = 0x1f40
                        "bind_port" = 8_080
                        bind_address = '127.0.0.1'
                        connect_address = \"""127.0.0.1\"""
                          protocol = "TCP"

                        [[ forwarding_rules ]]   # the resolver
                        timeout = +30
                        protocol = 'udp'
                        connect_address = "127.0.0.53"
                        bind_port = 5353
                        connect_port = 0o65
                        bind_address = "127.0.0.1"
                        """),
                Arguments.of("Windows line ends", Files.readString(EXAMPLE).replace("\n", "\r\n")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("theExampleInOtherTomlForms")
    void everyTomlFormOfTheExampleLoadsTheSameRules(String form, String text) throws Exception {
        Config expected = new ConfigParser().parse(EXAMPLE);
        Config config = parse(FILE, text);
        assertThat(config.rules()).hasSameSizeAs(expected.rules());
        for (int i = 0; i < expected.rules().size(); i++) {
            assertThat(config.rules().get(i).bind()).isEqualTo(expected.rules().get(i).bind());
            assertThat(config.rules().get(i).connect()).isEqualTo(expected.rules().get(i).connect());
            assertThat(config.rules().get(i).options()).isEqualTo(expected.rules().get(i).options());
        }
        assertThat(config.globalAccess().allow()).extracting(p -> p.text()).containsExactly("127.0.0.*");
        assertThat(config.globalAccess().deny()).isEmpty();
    }

    @Test
    void protocolsMapOntoEachSide() throws Exception {
        Config config = parse(FILE, RULE + "protocol = \"udptotcp\"\ntimeout = 9\n");
        assertThat(config.rules().get(0).bind().protocol()).isEqualTo(Protocol.UDP);
        assertThat(config.rules().get(0).connect().protocol()).isEqualTo(Protocol.TCP);
        assertThat(config.rules().get(0).options().udpTimeoutSeconds()).isEqualTo(9);
        assertThat(config.rules().get(0).location()).isEqualTo(FILE + ":1");
    }

    @Test
    void anInlineRuleIsLocatedAtItsFirstKey() throws Exception {
        Config config = parse(FILE, "forwarding_rules = [\n\n  { bind_address = \"127.0.0.1\", bind_port = 8080,"
                + " connect_address = \"127.0.0.1\", connect_port = 8000 },\n  { bind_address = \"127.0.0.1\", bind_port = 8081,"
                + " connect_address = \"127.0.0.1\", connect_port = 8000 } ]\n");
        assertThat(config.rules()).extracting(ForwardRule::location).containsExactly(FILE + ":3", FILE + ":4");
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            [[forwarding_rules]]\\nbind_port = 1                        | /etc/oi/config.toml:1: [[forwarding_rules]] needs bind_address
            [[listeners]]                                               | /etc/oi/config.toml:1: unknown table [[listeners]] (known: [[global_rules]], [[forwarding_rules]])
            \\n\\nbind_port = 1                                         | /etc/oi/config.toml:3: a key outside [[global_rules]] or [[forwarding_rules]]: "bind_port"
            [forwarding_rules]\\nbind_port = 1                          | /etc/oi/config.toml:1: forwarding_rules must be an array of tables: [[forwarding_rules]] or forwarding_rules = [ { ... } ]
            global_rules = [1]                                          | /etc/oi/config.toml:1: global_rules must be an array of tables: [[global_rules]] or global_rules = [ { ... } ]
            [[global_rules]]\\ntype = "maybe"\\npattern = "1.2.3.4"     | /etc/oi/config.toml:2: type must be allow or deny, got "maybe"
            [[global_rules]]\\ntype = "allow"\\npattern = "host.example" | /etc/oi/config.toml:3: bad pattern "host.example": use digits, '.', ':', hex letters, '?' and '*', or a CIDR block
            [[global_rules]]\\ntype = "allow"\\npattern = 10            | /etc/oi/config.toml:3: pattern must be a string, got 10
            [[forwarding_rules]]\\nbind_port = 1\\nbind_port = 2        | /etc/oi/config.toml:3: not valid TOML: bind_port previously defined at line 2, column 1
            """)
    void badTomlIsReportedAtItsLine(String text, String expected) {
        assertThat(errors(text.replace("\\n", "\n"))).contains(expected);
    }

    @Test
    void eachBadValueIsReportedAtItsKeysLine() {
        String rule = "# rules\n\n" + RULE; // the table at line 3, bind_address at 4, connect_port at 7
        assertThat(errors(rule.replace("8000", "99999"))).containsExactly("/etc/oi/config.toml:7: connect_port 99999 out of range (1-65535)");
        assertThat(errors(rule.replace("8000", "true"))).containsExactly(
                "/etc/oi/config.toml:7: connect_port must be a port number or a service name, got true");
        assertThat(errors(rule + "protocol = \"sctp\"\n")).containsExactly(
                "/etc/oi/config.toml:8: protocol must be tcp, udp, tcptoudp or udptotcp, got \"sctp\"");
        assertThat(errors(rule + "timeout = 0\nlisten = 1\n")).containsExactly(
                "/etc/oi/config.toml:8: timeout 0 out of range (1-999999999)",
                "/etc/oi/config.toml:9: [[forwarding_rules]] has no key \"listen\"" + KNOWN_KEYS);
        assertThat(errors(rule.replaceFirst("\"127.0.0.1\"", "\"logfile\""))).containsExactly(
                "/etc/oi/config.toml:4: bind_address must be an address or a host name, got \"logfile\"");
        assertThat(errors(rule.replaceFirst("\"127.0.0.1\"", "\"127.0.0.1 # x\""))).containsExactly(
                "/etc/oi/config.toml:4: bind_address must be one word, got \"127.0.0.1 # x\"");
        // A dotted key makes a sub-table, and no table of oxidinetd's has one.
        assertThat(errors(RULE + "bind.address = \"x\"\n")).containsExactly(
                "/etc/oi/config.toml:6: [[forwarding_rules]] has no key \"bind\"" + KNOWN_KEYS);
    }

    @Test
    void whatRinetdsSyntaxChecksIsReportedAtTheRulesLine() {
        assertThat(errors("\n" + RULE.replace("\"127.0.0.1\"\nconnect_port", "\"300.1.1.1\"\nconnect_port")))
                .containsExactly("/etc/oi/config.toml:2: bad address \"300.1.1.1\"");
        assertThat(errors("""
                forwarding_rules = [
                  { bind_address = "127.0.0.1", bind_port = 1, connect_address = "127.0.0.1" },
                  { bind_address = "127.0.0.1", bind_port = "no-such-service", connect_address = "127.0.0.1", connect_port = 1 },
                ]
                """)).containsExactly("/etc/oi/config.toml:2: [[forwarding_rules]] needs connect_port",
                "/etc/oi/config.toml:3: unknown service \"no-such-service\" for tcp (not in /etc/services)");
    }

    @Test
    void aTomlSyntaxErrorIsReportedWithTheParsersMessage() {
        assertThat(errors(RULE.replace("= \"127.0.0.1\"\nbind_port", "= x = y\nbind_port"))).containsExactly(
                "/etc/oi/config.toml:2: not valid TOML: Unexpected 'x', expected ', \", ''', \"\"\", a number, a boolean, a date/time,"
                        + " an array, or a table");
        assertThat(errors("[[forwarding_rules]\n")).containsExactly("/etc/oi/config.toml:1: not valid TOML: Unexpected ']', expected ]] or .");
    }

    @Test
    void deepNestingIsALocatedErrorNotAStackOverflow() {
        assertThat(errors("x = 1\ny = " + "[".repeat(100_000))).containsExactly(
                "/etc/oi/config.toml:2: not valid TOML for oi: arrays or tables nested deeper than 32");
        // Brackets in strings and comments do not nest.
        assertThat(errors("# " + "[".repeat(40) + "\nx = '" + "{".repeat(40) + "'\ny = \"\\\"" + "[".repeat(40) + "\"\n"))
                .containsExactly("/etc/oi/config.toml:2: a key outside [[global_rules]] or [[forwarding_rules]]: \"x\"",
                        "/etc/oi/config.toml:3: a key outside [[global_rules]] or [[forwarding_rules]]: \"y\"");
    }

    @Test
    void aTomlSyntaxErrorStopsTheCommandWithOneLine() throws Exception {
        Path file = Files.writeString(dir.resolve("config.toml"), RULE + "timeout = \"unterminated\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ExitCode code = Main.run(new String[] {"-c", file.toString()}, new PrintStream(new ByteArrayOutputStream(), true, UTF_8),
                new PrintStream(err, true, UTF_8));
        assertThat(code).isEqualTo(ExitCode.CMDERR);
        assertThat(err.toString(UTF_8).lines()).containsExactly(
                "oi: " + file + ":6: not valid TOML: Unexpected end of line, expected \" or a character");
    }

    @Test
    void aTomlRuleForwardsEndToEnd() throws Exception {
        try (TcpServer backend = TcpServer.echo();
             RunningForwarder oi = RunningForwarder.startFile(dir.resolve("config.toml"),
                     RULE.replace("8080", "0").replace("8000", Integer.toString(backend.port())), Settings.DEFAULTS);
             Socket client = oi.connect(0)) {
            client.getOutputStream().write("toml".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            assertThat(client.getInputStream().readAllBytes()).asString(StandardCharsets.US_ASCII).isEqualTo("toml");
        }
    }
}
