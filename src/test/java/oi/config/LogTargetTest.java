package oi.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import oi.rules.Config;
import oi.rules.HostAndPort;
import oi.rules.LogTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code logfile PATH} and {@code logfile syslog:[HOST:PORT]} as docs/oi.md has them, and the one HOST:PORT parser. */
class LogTargetTest {
    private static final Path FILE = Path.of("/etc/test.conf");

    /** A parser whose DNS knows only syslog.example, so tests never leave the machine. */
    private static Config parse(String text) throws ConfigException {
        return new ConfigParser(host -> {
            if (host.equals("syslog.example")) {
                return InetAddress.getByAddress(host, new byte[] {10, 1, 2, 3});
            }
            if (host.matches("[0-9.]+|[0-9a-fA-F:]*:[0-9a-fA-F:]*")) {
                return InetAddress.getByName(host); // a literal: parsed, never looked up
            }
            throw new UnknownHostException(host);
        }, new Services(Path.of("/nonexistent"))).parse(FILE, text);
    }

    @Test
    void aPathIsAFile() throws Exception {
        assertThat(parse("logfile /var/log/oi.log\n").logFile()).isEqualTo(new LogTarget.File(Path.of("/var/log/oi.log")));
    }

    @Test
    void syslogWithoutAnAddressIsTheLocalDaemon() throws Exception {
        assertThat(parse("logfile syslog:\n").logFile()).isEqualTo(LogTarget.Syslog.LOCAL)
                .hasToString("syslog:127.0.0.1:514");
    }

    @ParameterizedTest(name = "logfile {0}")
    @CsvSource({
        "syslog:127.0.0.1:5514, 127.0.0.1, 5514",
        "syslog:[::1]:514, ::1, 514",
        "syslog:syslog.example:10514, 10.1.2.3, 10514",
    })
    void syslogAtHostAndPort(String argument, String address, int port) throws Exception {
        assertThat(parse("logfile " + argument + "\n").logFile())
                .isEqualTo(new LogTarget.Syslog(new InetSocketAddress(InetAddress.getByName(address), port)));
    }

    @ParameterizedTest(name = "logfile {0}")
    @CsvSource(delimiter = '|', textBlock = """
            syslog:localhost              | /etc/test.conf:2: syslog target "localhost" is not HOST:PORT, e.g. 127.0.0.1:9100
            syslog:127.0.0.1:99999        | /etc/test.conf:2: syslog target "127.0.0.1:99999" is not HOST:PORT, e.g. 127.0.0.1:9100
            syslog::514                   | /etc/test.conf:2: syslog target ":514" is not HOST:PORT, e.g. 127.0.0.1:9100
            syslog:nowhere.example:514    | /etc/test.conf:2: cannot resolve host "nowhere.example"
            """)
    void aBadSyslogTargetIsNamedWithFileAndLine(String argument, String message) {
        assertThatThrownBy(() -> parse("# the log\nlogfile " + argument + "\n")).isInstanceOfSatisfying(ConfigException.class,
                e -> assertThat(e.errors()).extracting(ConfigError::toString).containsExactly(message));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "127.0.0.1:9100, 127.0.0.1, 9100, 127.0.0.1:9100",
        "[::1]:514, ::1, 514, [::1]:514",
        "::1:514, ::1, 514, [::1]:514",
        "localhost:0, localhost, 0, localhost:0",
    })
    void hostAndPortSplitsAtTheLastColon(String text, String host, int port, String shown) {
        assertThat(HostAndPort.parse("--flag", text)).isEqualTo(new HostAndPort(host, port)).hasToString(shown);
    }

    @Test
    void hostAndPortNamesWhatItWasReadingWhenTheTextIsWrong() {
        for (String text : List.of("9100", ":9100", "host:", "host:99999", "host:-1", "[]:80", "host:12a")) {
            assertThatThrownBy(() -> HostAndPort.parse("--metrics", text)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("--metrics \"" + text + "\" is not HOST:PORT, e.g. 127.0.0.1:9100");
        }
    }

    @Test
    void resolvingUsesTheResolverGiven() throws Exception {
        InetAddress seam = InetAddress.getByAddress("nowhere", new byte[] {10, 9, 8, 7});
        assertThat(new HostAndPort("nowhere", 1).resolve(host -> seam)).isEqualTo(new InetSocketAddress(seam, 1));
    }
}
