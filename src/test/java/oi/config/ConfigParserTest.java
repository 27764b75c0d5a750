package oi.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import oi.rules.Config;
import oi.rules.Endpoint.Protocol;
import oi.rules.Endpoint;
import oi.rules.ForwardRule;
import oi.rules.LogTarget;
import oi.rules.ProxyProtocol;
import oi.rules.RuleOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The rules-file language, directive by directive, and its error messages. */
class ConfigParserTest {
    private static final Path FILE = Path.of("/etc/test.conf");

    @TempDir
    Path dir;

    /** A parser whose DNS knows only backend.example and a host named backend, so tests never leave the machine. */
    private ConfigParser parser() throws Exception {
        Path services = Files.writeString(dir.resolve("services"), """
                ssh		22/tcp
                domain		53/tcp
                domain		53/udp
                http		80/tcp		www		# WorldWideWeb HTTP
                """);
        return new ConfigParser(host -> {
            if (host.equals("backend.example")) {
                return InetAddress.getByAddress(host, new byte[] {10, 1, 2, 3});
            }
            if (host.equals("backend")) {
                return InetAddress.getByAddress(host, new byte[] {127, 0, 0, 9});
            }
            throw new UnknownHostException(host);
        }, new Services(services));
    }

    private Config parse(String text) throws Exception {
        return parser().parse(FILE, text);
    }

    private List<String> errors(String text) throws Exception {
        try {
            parse(text);
        } catch (ConfigException e) {
            return e.errors().stream().map(ConfigError::toString).toList();
        }
        throw new AssertionError("expected errors for: " + text);
    }

    @Test
    void aForwardingRuleHasBindAndConnectSides() throws Exception {
        ForwardRule rule = parse("0.0.0.0 8080 127.0.0.1 80\n").rules().get(0);
        assertThat(rule.line()).isEqualTo(1);
        assertThat(rule.bind().host()).isEqualTo("0.0.0.0");
        assertThat(rule.bind().port()).isEqualTo(8080);
        assertThat(rule.bind().protocol()).isEqualTo(Protocol.TCP);
        assertThat(((Endpoint.Inet) rule.connect()).address().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(rule.connect().port()).isEqualTo(80);
        assertThat(rule.options()).isEqualTo(RuleOptions.DEFAULTS);
    }

    @Test
    void commentsBlankLinesAndAnyWhitespaceAreIgnored() throws Exception {
        Config config = parse("# a comment\n\n   \t\n127.0.0.1\t\t1234   127.0.0.1 5678   # trailing comment\r\n");
        assertThat(config.rules()).hasSize(1);
        assertThat(config.rules().get(0).line()).isEqualTo(4);
    }

    @Test
    void portsByServiceNameAndProtocolSuffix() throws Exception {
        ForwardRule rule = parse("127.0.0.1 www 127.0.0.1 domain/udp\n").rules().get(0);
        assertThat(rule.bind().port()).isEqualTo(80);
        assertThat(rule.connect().port()).isEqualTo(53);
        assertThat(rule.connect().protocol()).isEqualTo(Protocol.UDP);
    }

    @Test
    void eachSideDefaultsToTcpOnItsOwnAsInRinetd() throws Exception {
        ForwardRule rule = parse("0.0.0.0 8000/udp 10.1.1.2 80 [timeout=3600]\n").rules().get(0);
        assertThat(rule.bind().protocol()).isEqualTo(Protocol.UDP);
        assertThat(rule.connect().protocol()).isEqualTo(Protocol.TCP);
        assertThat(rule.options().udpTimeoutSeconds()).isEqualTo(3600);
    }

    @Test
    void optionsTimeoutAndSource() throws Exception {
        ForwardRule rule = parse("127.0.0.1 8000/udp 192.168.1.2 8000/udp [src=192.168.1.2, timeout=1200]\n").rules().get(0);
        assertThat(rule.options().udpTimeoutSeconds()).isEqualTo(1200);
        assertThat(rule.options().source().getHostAddress()).isEqualTo("192.168.1.2");
    }

    @Test
    void connectionLimitAndIdleTimeoutPerRule() throws Exception {
        ForwardRule rule = parse("127.0.0.1 80 127.0.0.1 81 [maxconns=10, idle=30]\n").rules().get(0);
        assertThat(rule.options().maxConns()).isEqualTo(10);
        assertThat(rule.options().idleSeconds()).isEqualTo(30);
        assertThat(parse("127.0.0.1 80 127.0.0.1 81 [idle=0]\n").rules().get(0).options().idleSeconds()).isZero();
        assertThat(RuleOptions.DEFAULTS.idleSeconds()).isEqualTo(RuleOptions.INHERIT);
        assertThat(parse("127.0.0.1 80 127.0.0.1 81 [proxy=V2]\n").rules().get(0).options().proxy()).isEqualTo(ProxyProtocol.V2);
        assertThat(RuleOptions.DEFAULTS.proxy()).isEqualTo(ProxyProtocol.NONE);
    }

    @Test
    void unixSocketsStandForAddressAndPortOnEitherSide() throws Exception {
        Config config = parse("unix:/run/oi.sock 127.0.0.1 8080\n0.0.0.0 8080 unix:/run/app.sock [maxconns=5]\n");
        assertThat(((Endpoint.Unix) config.rules().get(0).bind()).path()).isEqualTo(Path.of("/run/oi.sock"));
        assertThat(config.rules().get(0).connect().port()).isEqualTo(8080);
        assertThat(((Endpoint.Unix) config.rules().get(1).connect()).path()).isEqualTo(Path.of("/run/app.sock"));
        assertThat(config.rules().get(1).options().maxConns()).isEqualTo(5);
        assertThat(errors("unix:/a 127.0.0.1 53/udp\n")).containsExactly(
                "/etc/test.conf:1: unix: sockets are streams: the other side must be TCP");
    }

    @Test
    void ipv6BareAndBracketedAndHostNames() throws Exception {
        Config config = parse("""
                ::1 80 192.168.1.2 80
                [::] 81 [fe80::1] 80
                0.0.0.0 82 backend.example 80
                """);
        assertThat(((Endpoint.Inet) config.rules().get(0).bind()).address().getHostAddress()).isEqualTo("0:0:0:0:0:0:0:1");
        assertThat(((Endpoint.Inet) config.rules().get(1).bind()).address().isAnyLocalAddress()).isTrue();
        assertThat(config.rules().get(1).connect().host()).isEqualTo("fe80::1");
        assertThat(config.rules().get(2).connect().host()).isEqualTo("backend.example");
        assertThat(((Endpoint.Inet) config.rules().get(2).connect()).address().getHostAddress()).isEqualTo("10.1.2.3");
    }

    @Test
    void allowAndDenyBeforeTheFirstRuleAreGlobalAndAfterItBelongToThatRule() throws Exception {
        Config config = parse("""
                allow 192.168.2.*
                deny 192.168.2.1?
                127.0.0.1 1 127.0.0.1 2
                allow 10.0.0.0/8
                127.0.0.1 3 127.0.0.1 4
                deny fe80:*
                deny 2001:db8::/32
                """);
        assertThat(config.globalAccess().allow()).extracting(p -> p.text()).containsExactly("192.168.2.*");
        assertThat(config.globalAccess().deny()).extracting(p -> p.text()).containsExactly("192.168.2.1?");
        assertThat(config.rules().get(0).access().allow()).extracting(p -> p.text()).containsExactly("10.0.0.0/8");
        assertThat(config.rules().get(0).access().deny()).isEmpty();
        assertThat(config.rules().get(1).access().deny()).extracting(p -> p.text()).containsExactly("fe80:*", "2001:db8::/32");
    }

    @Test
    void logDirectives() throws Exception {
        Config config = parse("logfile /var/log/rinetd.log\nlogcommon\npidlogfile /run/oi.pid\n");
        assertThat(config.logFile()).isEqualTo(new LogTarget.File(Path.of("/var/log/rinetd.log")));
        assertThat(config.logCommon()).isTrue();
        assertThat(config.pidLogFile()).isEqualTo(Path.of("/run/oi.pid"));
        assertThat(parse("").logFile()).isNull();
        assertThat(parse("").logCommon()).isFalse();
    }

    @Test
    void directivesAreCaseInsensitive() throws Exception {
        assertThat(parse("ALLOW 10.*\nLogCommon\n").logCommon()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            frobnicate 1 2                                 | /etc/test.conf:1: unknown directive "frobnicate"
            127.0.0.1 80 127.0.0.1                         | /etc/test.conf:1: a forwarding rule is "bindaddress bindport connectaddress connectport [options]", got "127.0.0.1 80 127.0.0.1"
            127.0.0.1 80/tpc 127.0.0.1 80                  | /etc/test.conf:1: unknown protocol "tpc" (use /tcp or /udp)
            127.0.0.1 70000 127.0.0.1 80                   | /etc/test.conf:1: port "70000" out of range (1-65535)
            127.0.0.1 80 127.0.0.1 0                       | /etc/test.conf:1: port "0" out of range (1-65535)
            127.0.0.1 nosuchservice 127.0.0.1 80           | /etc/test.conf:1: unknown service "nosuchservice" for tcp (not in /etc/services)
            127.0.0.1 90-80 127.0.0.1 80                   | /etc/test.conf:1: port range "90-80" must run upwards, e.g. 10000-10999
            127.0.0.1 80-90 127.0.0.1 100-200              | /etc/test.conf:1: the port ranges differ in length: 11 bind ports, 101 connect ports
            127.0.0.1 80 127.0.0.1 100-200                 | /etc/test.conf:1: a connect port range needs a bind port range of the same length, got one bind port for 101 connect ports
            127.0.0.1 80-70000 127.0.0.1 80                | /etc/test.conf:1: port "70000" out of range (1-65535)
            127.0.0.1 1000-3000/udp 127.0.0.1 53/udp       | /etc/test.conf:1: a UDP range may have at most 1000 ports (each costs two threads), got 2001
            127.0.0.1 80-90 127.0.0.1 80 [check=5]         | /etc/test.conf:1: check= on a port range would probe each backend once per port; a range takes passive health (maxfails=, failtimeout=)
            300.1.1.1 80 127.0.0.1 80                      | /etc/test.conf:1: bad address "300.1.1.1"
            127.0.0.1 80 [127.0.0.1] 80                    | /etc/test.conf:1: bad address "[127.0.0.1]": brackets hold an IPv6 address
            127.0.0.1 80 fe80:::zz 80                      | /etc/test.conf:1: bad address "fe80:::zz"
            127.0.0.1 80 no.such.host.invalid 80           | /etc/test.conf:1: cannot resolve host "no.such.host.invalid"
            127.0.0.1 80 [::1] 80 [src=127.0.0.1]          | /etc/test.conf:1: src=127.0.0.1 is IPv4 and ::1 is IPv6: no connect can leave from it
            [::1] 80 127.0.0.1 80 [src=::1]                | /etc/test.conf:1: src=::1 is IPv6 and 127.0.0.1 is IPv4: no connect can leave from it
            127.0.0.1 80 127.0.0.1 80 [timeout=0]          | /etc/test.conf:1: timeout must be a whole number of seconds above 0, got "0"
            127.0.0.1 80 127.0.0.1 80 [timeout=abc]        | /etc/test.conf:1: timeout must be a whole number of seconds above 0, got "abc"
            127.0.0.1 80 127.0.0.1 80 [colour=blue]        | /etc/test.conf:1: unknown option "colour=blue" (known: timeout=N, src=ADDRESS, maxconns=N, idle=N, proxy=VERSION, acceptproxy=VERSION, proxyfrom=PATTERN, rate=SIZE, rulerate=SIZE, balance=STRATEGY, check=N, maxfails=N, failtimeout=N)
            127.0.0.1 80 127.0.0.1 80 [maxconns=0]         | /etc/test.conf:1: maxconns must be a whole number above 0, got "0"
            127.0.0.1 80 127.0.0.1 80 [idle=-1]            | /etc/test.conf:1: idle must be a whole number of seconds, 0 for never, got "-1"
            127.0.0.1 80 127.0.0.1 80 [proxy=v3]           | /etc/test.conf:1: proxy must be v1 or v2, got "v3"
            127.0.0.1 80/udp 127.0.0.1 80 [proxy=v2]       | /etc/test.conf:1: proxy= applies to TCP-to-TCP rules only
            127.0.0.1 80/udp 127.0.0.1 80 [acceptproxy=v1] | /etc/test.conf:1: acceptproxy= applies to TCP-to-TCP rules only
            127.0.0.1 80 127.0.0.1 80/udp [rate=1m]        | /etc/test.conf:1: rate= applies to TCP-to-TCP rules only
            127.0.0.1 80 127.0.0.1 80 [acceptproxy=v3]     | /etc/test.conf:1: acceptproxy must be v1 or v2 or any, got "v3"
            127.0.0.1 80 127.0.0.1 80 [proxy=any]          | /etc/test.conf:1: proxy must be v1 or v2, got "any"
            127.0.0.1 80 127.0.0.1 80 [proxyfrom=10.*]     | /etc/test.conf:1: proxyfrom= names the peers whose PROXY headers are believed: it needs acceptproxy=
            127.0.0.1 80 127.0.0.1 80 [acceptproxy=v2,proxyfrom=x.y] | /etc/test.conf:1: proxyfrom: bad pattern "x.y": use digits, '.', ':', hex letters, '?' and '*', or a CIDR block
            127.0.0.1 80 127.0.0.1 80 [rate=10q]           | /etc/test.conf:1: rate "10q" is not a size: use a byte count with an optional k or m suffix, e.g. 8k, 64k, 1m
            127.0.0.1 80 127.0.0.1 80 [rulerate=100]       | /etc/test.conf:1: rulerate "100" is out of range: between 1k and 1024g
            127.0.0.1 80 127.0.0.1 80 timeout=5            | /etc/test.conf:1: options go in brackets, e.g. [timeout=60,src=10.0.0.1], got "timeout=5"
            allow                                          | /etc/test.conf:1: allow takes one pattern, e.g. "allow 192.168.1.*"
            deny 10.0.0.1 10.0.0.2                         | /etc/test.conf:1: deny takes one pattern, e.g. "deny 192.168.1.*"
            allow example.com                              | /etc/test.conf:1: bad pattern "example.com": use digits, '.', ':', hex letters, '?' and '*', or a CIDR block
            allow 10.0.0.0/33                              | /etc/test.conf:1: bad CIDR block "10.0.0.0/33": prefix longer than the address
            logfile                                        | /etc/test.conf:1: logfile needs a path
            logcommon yes                                  | /etc/test.conf:1: logcommon takes no argument, got "yes"
            """)
    void everyMalformedLineIsReportedWithFileAndLine(String line, String expected) throws Exception {
        assertThat(errors(line + "\n")).containsExactly(expected);
    }

    @Test
    void aBackendLineOfTheOtherFamilyThanTheRulesSrcIsAnError() throws Exception {
        assertThat(errors("127.0.0.1 8080 127.0.0.1 80 [src=127.0.0.1]\nbackend [::1] 80\nbackend 127.0.0.2 81\n"))
                .containsExactly("/etc/test.conf:2: src=127.0.0.1 is IPv4 and ::1 is IPv6: no connect can leave from it");
    }

    @Test
    void allErrorsOfAFileAreReportedNotJustTheFirst() throws Exception {
        assertThat(errors("""
                127.0.0.1 80 127.0.0.1 80
                bogus
                127.0.0.1 81 127.0.0.1 99999
                127.0.0.1 80 127.0.0.1 82
                """)).containsExactly(
                "/etc/test.conf:2: unknown directive \"bogus\"",
                "/etc/test.conf:3: port \"99999\" out of range (1-65535)",
                "/etc/test.conf:4: bind address 127.0.0.1:80 is already used by the rule at line 1");
    }

    @Test
    void includeReadsAFileOrAGlobInNameOrderAsIfItsLinesStoodThere() throws Exception {
        Path conf = dir.resolve("oi.d");
        Files.createDirectories(conf);
        Files.writeString(conf.resolve("20-web.conf"), "127.0.0.1 8081 127.0.0.1 81\ndeny 10.0.0.1\n");
        Files.writeString(conf.resolve("10-ssh.conf"), "\n127.0.0.1 2222 127.0.0.1 ssh\n");
        Files.writeString(conf.resolve("README"), "not a rules file\n");
        Path main = Files.writeString(dir.resolve("main.conf"), "allow 127.0.0.1\ninclude oi.d/*.conf\nlogcommon\n");
        Config config = parser().parse(main);
        assertThat(config.rules()).extracting(rule -> rule.bind().port()).containsExactly(2222, 8081);
        assertThat(config.rules().get(0).location()).isEqualTo(conf.resolve("10-ssh.conf") + ":2");
        assertThat(config.rules().get(1).access().deny()).extracting(p -> p.text()).containsExactly("10.0.0.1");
        assertThat(config.globalAccess().allow()).hasSize(1);
        assertThat(config.logCommon()).isTrue();
    }

    @Test
    void includeGlobsTakeClassesAndBracesAsShellsDo() throws Exception {
        Path conf = Files.createDirectories(dir.resolve("oi.d"));
        Files.writeString(conf.resolve("a1.conf"), "127.0.0.1 8001 127.0.0.1 81\n");
        Files.writeString(conf.resolve("b2.rules"), "127.0.0.1 8002 127.0.0.1 81\n");
        Files.writeString(conf.resolve("c3.conf"), "127.0.0.1 8003 127.0.0.1 81\n");
        Path main = Files.writeString(dir.resolve("main.conf"), "include oi.d/[!c]?.{conf,rules}\n");
        assertThat(parser().parse(main).rules()).extracting(rule -> rule.bind().port()).containsExactly(8001, 8002);
    }

    /** A glob a regular expression would backtrack on for ever, and one so long it would overflow the regex stack. */
    @Test
    void hostileIncludeGlobsGiveALineOrLoadAtOnceAndNeverHang() throws Exception {
        Path conf = Files.createDirectories(dir.resolve("oi.d"));
        Files.writeString(conf.resolve("a".repeat(40) + ".conf"), "127.0.0.1 8001 127.0.0.1 81\n");
        Path backtracking = Files.writeString(dir.resolve("backtracking.conf"), "include oi.d/*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b\n");
        Path overlong = Files.writeString(dir.resolve("overlong.conf"), "include oi.d/" + "*a".repeat(5_000) + "\n");
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            assertThat(parser().parse(backtracking).rules()).as("matches nothing, quickly").isEmpty();
            assertThatThrownBy(() -> parser().parse(overlong)).isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith(overlong + ":1: bad glob \"oi.d/*a*a")
                    .hasMessageEndingWith(": longer than a file name can be (255)");
        });
    }

    @Test
    void aByteOrderMarkBeforeTheFirstLineIsNotPartOfItsFirstWordAndAnInvisibleCharacterIsShown() throws Exception {
        Path withMark = Files.write(dir.resolve("bom.conf"), ("\uFEFF127.0.0.1 8080 127.0.0.1 80\n").getBytes(StandardCharsets.UTF_8));
        assertThat(parser().parse(withMark).rules()).hasSize(1);
        assertThat(errors("127.0.0.1 8080 127.0.0.1\u200B 80\n")).containsExactly("/etc/test.conf:1: bad address \"127.0.0.1\\u200b\"");
    }

    @Test
    void aFileErrorIsGivenByItsReasonNotByThePathAlone() {
        // the JDK's message of these is the path, which the line that reports them names already
        assertThat(ConfigError.reasonOf(new java.nio.file.AccessDeniedException("/etc/oi.conf"))).isEqualTo("permission denied");
        assertThat(ConfigError.reasonOf(new java.nio.file.NoSuchFileException("/var/log/oi/oi.log"))).isEqualTo("no such file or directory");
        assertThat(ConfigError.reasonOf(new java.nio.file.FileSystemException("/x", null, "Read-only file system")))
                .isEqualTo("Read-only file system");
        assertThat(ConfigError.reasonOf(new java.net.BindException("Address already in use"))).isEqualTo("Address already in use");
    }

    @Test
    void errorsInsideAnIncludedFileNameThatFile() throws Exception {
        Path included = Files.writeString(dir.resolve("bad.conf"), "# fine\nbogus\n");
        Files.createDirectory(dir.resolve("oi.d"));
        Path main = Files.writeString(dir.resolve("main.conf"), "include " + included + "\ninclude missing.conf\ninclude oi.d\n");
        assertThatThrownBy(() -> parser().parse(main)).isInstanceOf(ConfigException.class)
                .extracting(e -> ((ConfigException) e).errors().stream().map(ConfigError::toString).toList())
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
                .containsExactly(included + ":2: unknown directive \"bogus\"",
                        main + ":2: cannot read included file \"" + dir.resolve("missing.conf") + "\"",
                        main + ":3: included \"" + dir.resolve("oi.d") + "\" is a directory: include " + dir.resolve("oi.d/*.conf")
                                + " reads the files in it");
    }

    @Test
    void anIncludeCycleIsAnError() throws Exception {
        Path a = dir.resolve("a.conf");
        Files.writeString(dir.resolve("b.conf"), "include a.conf\n");
        Files.writeString(a, "include b.conf\n");
        assertThatThrownBy(() -> parser().parse(a)).isInstanceOf(ConfigException.class)
                .hasMessage(dir.resolve("b.conf") + ":1: include cycle: \"" + a + "\" is already being read");
    }

    @Test
    void binaryAndOverlongTextIsShownShortAndPrintable() throws Exception {
        String garbage = "\u0001\u0002zap" + "x".repeat(500);
        assertThat(errors(garbage + "\n")).singleElement().asString()
                .startsWith("/etc/test.conf:1: unknown directive \"\\x01\\x02zap")
                .endsWith("...\"")
                .hasSizeLessThan(140);
    }

    @Test
    void aMissingFileIsOneClearError() {
        assertThatThrownBy(() -> parser().parse(dir.resolve("nope.conf")))
                .isInstanceOf(ConfigException.class)
                .hasMessage(dir.resolve("nope.conf") + ": no such rules file");
    }

    @Test
    void rinetdsShippedConfigAndManPageExamplesAreAccepted() throws Exception {
        Config config = parse("""
                # from rinetd's man page and its shipped rinetd.conf
                allow 192.168.2.*
                deny 192.168.2.1?
                allow fe80:*
                deny 2001:618:*:e43f
                206.125.69.81 80  10.1.1.2 80
                0.0.0.0 23  10.1.1.2 23
                206.125.69.81 81/tcp  10.1.1.2 8000/udp
                0.0.0.0 8000/udp  10.1.1.2 80  [timeout=3600]
                192.168.1.1 80  10.1.1.127 80  [src=10.1.1.2]
                allow 206.125.69.*
                0.0.0.0     8080        192.168.1.2     80
                ::1         80        192.168.1.2     80
                0.0.0.0     8081        fe80::1         80
                127.0.0.1   4000      127.0.0.1       3000
                127.0.0.1   4000/udp  127.0.0.1       22           [timeout=1200]
                127.0.0.1   8000/udp  192.168.1.2     8000/udp     [src=192.168.1.2,timeout=1200]
                logfile /var/log/rinetd.log
                logcommon
                """);
        assertThat(config.rules()).hasSize(11);
        assertThat(config.globalAccess().allow()).hasSize(2);
        assertThat(config.rules().get(4).access().allow()).extracting(p -> p.text()).containsExactly("206.125.69.*");
    }

    @Test
    void backendLinesAddBackendsToTheRuleAboveWithTheirOptions() throws Exception {
        Config config = parse("""
                0.0.0.0 8080 10.0.0.1 80 [balance=leastconn,check=5,maxfails=2,failtimeout=30]
                backend 10.0.0.2 http [weight=3]
                backend [::1] 8080 [backup]
                backend backend.example 81
                backend unix:/run/app.sock [weight=2,backup]
                allow 10.*
                0.0.0.0 53/udp 10.0.0.1 53/udp
                backend 10.0.0.2 53
                backend 8080 10.0.0.9 80
                """);
        ForwardRule web = config.rules().get(0);
        assertThat(web.backends()).extracting(Object::toString).containsExactly(
                "10.0.0.1:80", "10.0.0.2:80 weight=3", "[::1]:8080 backup", "backend.example:81", "unix:/run/app.sock weight=2 backup");
        assertThat(web.options().balance()).isEqualTo(RuleOptions.Balance.LEASTCONN);
        assertThat(web.options().health()).isEqualTo(new RuleOptions.Health(5, 2, 30));
        assertThat(web.access().allow()).hasSize(1);
        // A backend of a UDP rule is UDP unless it says otherwise; a line of a rule's shape is a rule
        // (a host named "backend"), as rinetd reads it.
        assertThat(config.rules().get(1).backends()).extracting(Object::toString).containsExactly("10.0.0.1:53/udp", "10.0.0.2:53/udp");
        assertThat(config.rules()).hasSize(3);
        assertThat(config.rules().get(2).bind().host()).isEqualTo("backend");
        assertThat(parse("0.0.0.0 80 10.0.0.1 80\n").rules().get(0).options()).isEqualTo(RuleOptions.DEFAULTS);
    }

    @Test
    void badBackendLinesAreReportedWithFileAndLine() throws Exception {
        assertThat(errors("""
                backend 10.0.0.2 80
                0.0.0.0 8080 10.0.0.1 80 [balance=fastest,check=-1,maxfails=0,failtimeout=0]
                backend 10.0.0.2 80 [weight=0]
                backend 10.0.0.3 80 [weight=2,primary]
                backend 10.0.0.4 80 [backup=yes]
                backend 10.0.0.5 80/udp
                backend 10.0.0.1 80
                backend 10.0.0.6
                backend unix:/run/a.sock 80
                127.0.0.1 99999 10.0.0.1 80
                backend 10.0.0.8 80 [weight=0]
                0.0.0.0 53/udp 10.0.0.1 53/udp
                backend unix:/run/app.sock
                """)).containsExactly(
                "/etc/test.conf:1: a backend line belongs to the forwarding rule above it, and there is none",
                "/etc/test.conf:2: balance must be roundrobin or leastconn or random or iphash, got \"fastest\"",
                "/etc/test.conf:2: check must be a whole number of seconds, 0 for passive checks only, got \"-1\"",
                "/etc/test.conf:2: maxfails must be a whole number above 0, got \"0\"",
                "/etc/test.conf:2: failtimeout must be a whole number of seconds above 0, got \"0\"",
                "/etc/test.conf:3: weight must be a whole number above 0, got \"0\"",
                "/etc/test.conf:4: unknown backend option \"primary\" (known: weight=N, backup)",
                "/etc/test.conf:5: backup takes no value, got \"backup=yes\"",
                "/etc/test.conf:6: backend 10.0.0.5:80/udp is udp, but the rule connects over tcp",
                "/etc/test.conf:7: backend 10.0.0.1:80 is already a backend of this rule",
                "/etc/test.conf:8: a backend is \"backend address port [weight=N,backup]\", got \"backend 10.0.0.6\"",
                "/etc/test.conf:9: a backend is \"backend address port [weight=N,backup]\", got \"backend unix:/run/a.sock 80\"",
                "/etc/test.conf:10: port \"99999\" out of range (1-65535)",
                "/etc/test.conf:13: backend unix:/run/app.sock is a unix: socket, but the rule connects over udp");
    }

    @Test
    void aPortRangeIsOneRulePerPortPortForPortOrAllToOne() throws Exception {
        Config config = parse("""
                0.0.0.0 10000-10004 10.0.0.5 20000-20004 [maxconns=9]
                allow 10.*
                0.0.0.0 11000-11002/udp 10.0.0.5 53/udp
                """);
        assertThat(config.rules()).hasSize(8);
        assertThat(config.rules().subList(0, 5)).extracting(rule -> rule.bind().port() + ">" + rule.connect().port())
                .containsExactly("10000>20000", "10001>20001", "10002>20002", "10003>20003", "10004>20004");
        assertThat(config.rules().subList(0, 5)).allSatisfy(rule -> {
            assertThat(rule.line()).isEqualTo(1);
            assertThat(rule.options().maxConns()).isEqualTo(9);
            assertThat(rule.access().allow()).extracting(p -> p.text()).containsExactly("10.*");
        });
        assertThat(config.rules().subList(5, 8)).extracting(rule -> rule.bind() + ">" + rule.connect())
                .containsExactly("0.0.0.0:11000/udp>10.0.0.5:53/udp", "0.0.0.0:11001/udp>10.0.0.5:53/udp", "0.0.0.0:11002/udp>10.0.0.5:53/udp");
        assertThat(config.rules().get(5).access().allow()).isEmpty();
    }

    @Test
    void aRangeThatOverlapsAnotherRuleIsOneErrorAtItsLine() throws Exception {
        assertThat(errors("""
                0.0.0.0 10005 10.0.0.5 80
                0.0.0.0 10000-10999 10.0.0.5 80
                0.0.0.0 9000-9009 10.0.0.5 20000-20009
                backend 10.0.0.6 80
                """)).containsExactly(
                "/etc/test.conf:2: bind address 0.0.0.0:10005 is already used by the rule at line 1",
                "/etc/test.conf:4: a backend cannot follow a rule that maps a port range port for port");
    }
}
