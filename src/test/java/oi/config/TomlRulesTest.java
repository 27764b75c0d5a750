package oi.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import oi.runtime.Settings;
import oi.testing.RunningForwarder;
import oi.testing.TcpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** oxidinetd's TOML rules: the same records as rinetd's lines, and errors that point into the TOML. */
class TomlRulesTest {
    private static final Path FILE = Path.of("/etc/oi/config.toml");
    private static final String RULE = """
            [[forwarding_rules]]
            bind_address = "127.0.0.1"
            bind_port = 8080
            connect_address = "127.0.0.1"
            connect_port = 8000
            """;

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
        Config toml = new ConfigParser().parse(Path.of("examples/rules.toml"));
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
    void protocolsMapOntoEachSide() throws Exception {
        Config config = parse(FILE, RULE + "protocol = \"udptotcp\"\ntimeout = 9\n");
        assertThat(config.rules().get(0).bind().protocol()).isEqualTo(Protocol.UDP);
        assertThat(config.rules().get(0).connect().protocol()).isEqualTo(Protocol.TCP);
        assertThat(config.rules().get(0).options().udpTimeoutSeconds()).isEqualTo(9);
        assertThat(config.rules().get(0).location()).isEqualTo(FILE + ":1");
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            [[forwarding_rules]]\\nbind_port = 1                        | /etc/oi/config.toml:1: [[forwarding_rules]] needs bind_address
            [[listeners]]                                               | /etc/oi/config.toml:1: unknown table [[listeners]] (known: [[global_rules]], [[forwarding_rules]])
            bind_port = 1                                               | /etc/oi/config.toml:1: a key outside [[global_rules]] or [[forwarding_rules]]: "bind_port = 1"
            [[global_rules]]\\ntype = "maybe"\\npattern = "1.2.3.4"     | /etc/oi/config.toml:1: type must be allow or deny, got "maybe"
            [[global_rules]]\\ntype = "allow"\\npattern = "host.example" | /etc/oi/config.toml:1: bad pattern "host.example": use digits, '.', ':', hex letters, '?' and '*', or a CIDR block
            [[forwarding_rules]]\\nbind_address = x = y                 | /etc/oi/config.toml:2: not a line of oxidinetd's TOML: "bind_address = x = y"
            """)
    void badTomlIsReportedAtItsLine(String text, String expected) {
        assertThat(errors(text.replace("\\n", "\n"))).contains(expected);
    }

    @Test
    void aBadValueInATableIsReportedAtTheTablesLine() {
        assertThat(errors("# rules\n\n" + RULE.replace("8000", "99999") + "protocol = \"sctp\"\n"))
                .containsExactly("/etc/oi/config.toml:3: protocol must be tcp, udp, tcptoudp or udptotcp, got \"sctp\"");
        assertThat(errors(RULE.replace("8000", "99999"))).containsExactly("/etc/oi/config.toml:1: port \"99999\" out of range (1-65535)");
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
