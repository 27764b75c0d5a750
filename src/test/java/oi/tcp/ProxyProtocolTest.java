package oi.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import oi.rules.ProxyProtocol;
import oi.settings.Settings;
import oi.testing.LogLines;
import oi.testing.RunningForwarder;
import oi.testing.TcpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * PROXY protocol headers, byte for byte, and parsed by a real backend as the first thing it reads.
 * Run from target/classes, where an {@code acceptproxy=} rule accepts each client at once (the
 * JDK 21 classes); {@link ProxyProtocolIT} runs them again from the jar, where it defers accepts.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ProxyProtocolTest {

    @TempDir
    Path dir;

    private static InetSocketAddress at(String host, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(host), port);
    }

    @Test
    void versionOneIsOneTextLine() throws Exception {
        assertThat(new String(ProxyHeader.of(ProxyProtocol.V1, at("192.168.0.1", 56324), at("192.168.0.11", 443)),
                StandardCharsets.US_ASCII)).isEqualTo("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n");
        assertThat(new String(ProxyHeader.of(ProxyProtocol.V1, at("10.0.0.1", 1), at("::1", 2)), StandardCharsets.US_ASCII))
                .isEqualTo("PROXY TCP6 ::ffff:10.0.0.1 ::1 1 2\r\n");
    }

    @Test
    void versionTwoIsTheBinaryLayoutOfTheSpec() throws Exception {
        byte[] header = ProxyHeader.of(ProxyProtocol.V2, at("192.168.0.1", 56324), at("192.168.0.11", 443));
        assertThat(HexFormat.of().formatHex(header)).isEqualTo(
                "0d0a0d0a000d0a515549540a" + "21" + "11" + "000c" + "c0a80001" + "c0a8000b" + "dc04" + "01bb");
    }

    /** What a backend that speaks PROXY v2 learns from the header. */
    private record Parsed(InetSocketAddress source, InetSocketAddress destination, String payload) {
    }

    private static Parsed readV2(InputStream stream) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        byte[] signature = in.readNBytes(12);
        if (!Arrays.equals(signature, ProxyHeader.V2_SIGNATURE) || in.readUnsignedByte() != 0x21) {
            throw new IOException("not a PROXY v2 header");
        }
        int family = in.readUnsignedByte();
        int length = in.readUnsignedShort();
        int size = family == 0x11 ? 4 : 16;
        if (length != 2 * size + 4) {
            throw new IOException("bad length " + length);
        }
        InetAddress source = InetAddress.getByAddress(in.readNBytes(size));
        InetAddress destination = InetAddress.getByAddress(in.readNBytes(size));
        int sourcePort = in.readUnsignedShort();
        int destinationPort = in.readUnsignedShort();
        return new Parsed(new InetSocketAddress(source, sourcePort), new InetSocketAddress(destination, destinationPort),
                new String(in.readAllBytes(), StandardCharsets.US_ASCII));
    }

    @Test
    void aBackendParsesTheRealClientFromTheV2HeaderBeforeAnyPayload() throws Exception {
        CompletableFuture<Parsed> seen = new CompletableFuture<>();
        try (TcpServer backend = TcpServer.start(socket -> seen.complete(readV2(socket.getInputStream())));
             RunningForwarder oi = RunningForwarder.start(dir, "127.0.0.1 0 127.0.0.1 " + backend.port() + " [proxy=v2]\n",
                     Settings.DEFAULTS);
             Socket client = oi.connect(0)) {
            client.getOutputStream().write("GET /\r\n".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            Parsed parsed = seen.get(10, TimeUnit.SECONDS);
            assertThat(parsed.source()).isEqualTo(client.getLocalSocketAddress());
            assertThat(parsed.destination().getPort()).isEqualTo(oi.port(0));
            assertThat(parsed.payload()).isEqualTo("GET /\r\n");
        }
    }

    /** Whether oi closed the connection without a byte: an end of stream, or a reset when bytes it never read were left. */
    private static boolean closed(Socket client) {
        try {
            return client.getInputStream().read() == -1;
        } catch (IOException e) {
            return true;
        }
    }

    private static ProxyHeader.Received parsed(byte[] header) throws Exception {
        return ProxyHeader.parse(header, header.length);
    }

    @Test
    void theHeadersOiSendsParseBackToTheSameAddresses() throws Exception {
        for (ProxyProtocol version : new ProxyProtocol[] {ProxyProtocol.V1, ProxyProtocol.V2}) {
            for (String[] pair : new String[][] {{"192.168.0.1", "192.168.0.11"}, {"2001:db8::1", "::1"}}) {
                ProxyHeader.Received received = parsed(ProxyHeader.of(version, at(pair[0], 56324), at(pair[1], 443)));
                assertThat(received.source()).as("%s %s", version, pair[0]).isEqualTo(at(pair[0], 56324));
                assertThat(received.destination()).isEqualTo(at(pair[1], 443));
            }
        }
    }

    @Test
    void localAndUnknownHeadersLeaveThePeerStanding() throws Exception {
        assertThat(parsed("PROXY UNKNOWN\r\n".getBytes(StandardCharsets.US_ASCII)).source()).isNull();
        assertThat(parsed("PROXY UNKNOWN ffff::1 ::1 1 2\r\n".getBytes(StandardCharsets.US_ASCII)).source()).isNull();
        assertThat(parsed("PROXY UNKNOWN what follows is ignored by the spec\r\n".getBytes(StandardCharsets.US_ASCII)).source())
                .isNull();
        byte[] local = HexFormat.of().parseHex("0d0a0d0a000d0a515549540a" + "20" + "00" + "0000");
        assertThat(parsed(local).source()).isNull();
    }

    /** What the forwarder reads from a client that sends {@code bytes} first, then closes its side. */
    private static Object received(String accepted, byte[] bytes) throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             SocketChannel client = SocketChannel.open(server.getLocalAddress());
             SocketChannel taken = server.accept()) {
            client.write(ByteBuffer.wrap(bytes));
            client.shutdownOutput();
            try {
                ProxyHeader.Received received = ProxyHeader.receive(taken, ProxyProtocol.valueOf(accepted));
                return received.source() + " early=" + StandardCharsets.US_ASCII.decode(received.early());
            } catch (ProxyHeader.Malformed e) {
                return e.getMessage();
            }
        }
    }

    @Test
    void aReceivedHeaderIsTakenWholeAndTheBytesAfterItAreKept() throws Exception {
        assertThat(received("V1", "PROXY TCP4 203.0.113.7 10.0.0.1 5555 80\r\nGET / HTTP/1.0\r\n".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo("/203.0.113.7:5555 early=GET / HTTP/1.0\r\n");
        byte[] v2 = ProxyHeader.of(ProxyProtocol.V2, at("2001:db8::7", 4000), at("::1", 443));
        byte[] withPayload = Arrays.copyOf(v2, v2.length + 5);
        System.arraycopy("hello".getBytes(StandardCharsets.US_ASCII), 0, withPayload, v2.length, 5);
        assertThat(received("ANY", withPayload)).isEqualTo("/[2001:db8:0:0:0:0:0:7]:4000 early=hello");
    }

    /** Header lines as text, {@code \r\n} written out, and what refusing each says. */
    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "V1 | GET / HTTP/1.0\\r\\n\\r\\n               | no PROXY header v1",
        "V2 | PROXY TCP4 1.2.3.4 5.6.7.8 1 2\\r\\n     | a PROXY v1 header where v2 is expected",
        "V1 | PROXY TCP4 300.1.1.1 5.6.7.8 1 2\\r\\n   | malformed PROXY v1 address 300.1.1.1",
        "V1 | PROXY TCP6 1.2.3.4 5.6.7.8 1 2\\r\\n     | malformed PROXY v1 address 1.2.3.4",
        "V1 | PROXY TCP4 01.2.3.4 5.6.7.8 1 2\\r\\n    | malformed PROXY v1 address 01.2.3.4",
        "V1 | PROXY TCP4 1.2.3.4 5.6.7.8 1 65536\\r\\n | malformed PROXY v1 port 65536",
        "V1 | PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\\r\\n   | malformed PROXY v1 line",
        "V1 | PROXY TCP4 1.2.3.4 5.6.7.8 1 x\\r\\n     | malformed PROXY v1 line",
    })
    void aMalformedHeaderLineIsRefusedWithWhy(String accepted, String line, String why) throws Exception {
        assertThat(received(accepted, line.replace("\\r\\n", "\r\n").getBytes(StandardCharsets.US_ASCII))).isEqualTo(why);
    }

    @Test
    void aMissingMalformedOrOversizedHeaderIsRefusedWithWhy() throws Exception {
        byte[] v2 = ProxyHeader.of(ProxyProtocol.V2, at("192.168.0.1", 1), at("192.168.0.2", 2));
        byte[] huge = Arrays.copyOf(v2, 16);
        huge[14] = (byte) 0x10; // a length of 4 KiB and more
        assertThat(received("V1", ("PROXY TCP4 " + "1".repeat(120)).getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo("PROXY v1 line longer than 107 bytes");
        assertThat(received("ANY", huge)).isEqualTo("PROXY v2 header of 4124 bytes, longer than 2048");
        assertThat(received("ANY", "PROXY TCP4 1.2.3.4".getBytes(StandardCharsets.US_ASCII))).isEqualTo("closed within the PROXY header");
        assertThat(received("ANY", new byte[0])).isEqualTo("closed before a PROXY header");
    }

    @Test
    void aRuleWithAcceptProxyTakesTheRealClientForTheLogTheAclAndTheHeaderItSendsOn() throws Exception {
        Path log = dir.resolve("oi.log");
        CompletableFuture<Parsed> seen = new CompletableFuture<>();
        try (TcpServer backend = TcpServer.start(socket -> seen.complete(readV2(socket.getInputStream())));
             RunningForwarder oi = RunningForwarder.start(dir, "logfile " + log + "\n127.0.0.1 0 127.0.0.1 " + backend.port()
                     + " [acceptproxy=v1,proxy=v2]\ndeny 198.51.100.*\n", Settings.DEFAULTS)) {
            try (Socket client = oi.connect(0)) {
                client.getOutputStream().write("PROXY TCP4 203.0.113.7 192.0.2.1 5555 80\r\nGET /\r\n".getBytes(StandardCharsets.US_ASCII));
                client.shutdownOutput();
                Parsed parsed = seen.get(10, TimeUnit.SECONDS);
                assertThat(parsed.source()).isEqualTo(at("203.0.113.7", 5555));
                assertThat(parsed.destination()).isEqualTo(at("192.0.2.1", 80));
                assertThat(parsed.payload()).isEqualTo("GET /\r\n");
                assertThat(client.getInputStream().read()).isEqualTo(-1);
            }
            try (Socket denied = oi.connect(0)) {
                denied.getOutputStream().write("PROXY TCP4 198.51.100.9 192.0.2.1 5555 80\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(closed(denied)).isTrue();
            }
            try (Socket none = oi.connect(0)) {
                none.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(closed(none)).isTrue();
            }
            List<String> lines = LogLines.await(log, 3);
            assertThat(lines).anySatisfy(line -> assertThat(line).contains("\t203.0.113.7\t").contains("done-"));
            assertThat(lines).anySatisfy(line -> assertThat(line).contains("\t198.51.100.9\t").contains("\tdenied\t"));
            assertThat(lines).anySatisfy(line -> assertThat(line).contains("\t127.0.0.1\t").contains("\tbad-proxy-header\t"));
        }
    }

    @Test
    void aPeerOutsideProxyFromIsRefusedBeforeItsHeaderAndASilentOneAfterTheConnectTimeout() throws Exception {
        Path log = dir.resolve("oi.log");
        try (TcpServer backend = TcpServer.echo();
             RunningForwarder oi = RunningForwarder.start(dir, "logfile " + log + "\n127.0.0.1 0 127.0.0.1 " + backend.port()
                     + " [acceptproxy=any,proxyfrom=10.0.0.0/8]\n127.0.0.1 0 127.0.0.1 " + backend.port() + " [acceptproxy=any]\n",
                     Settings.of("--connect-timeout", "1"))) {
            try (Socket untrusted = oi.connect(0)) {
                untrusted.getOutputStream().write("PROXY TCP4 203.0.113.7 192.0.2.1 5555 80\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(closed(untrusted)).isTrue();
            }
            long start = System.nanoTime();
            try (Socket silent = oi.connect(1)) {
                assertThat(silent.getInputStream().read()).isEqualTo(-1);
            }
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("closed after --connect-timeout").isBetween(700L, 5000L);
            List<String> lines = LogLines.await(log, 2);
            assertThat(lines.get(0)).contains("\tuntrusted-proxy\t");
            assertThat(lines.get(1)).contains("\tbad-proxy-header\t");
            assertThat(backend.accepted()).isZero();
        }
    }

    /** Whether this run's classes defer the accepts of {@code acceptproxy=} rules: not from target/classes. */
    boolean defersAccepts() {
        return false;
    }

    @Test
    void aClientThatHasSentNothingWaitsInTheKernelWhereAcceptsAreDeferredAndInOiElsewhere() throws Exception {
        assertThat(DeferAccept.unavailable() == null).as("TCP_DEFER_ACCEPT available").isEqualTo(defersAccepts());
        try (TcpServer backend = TcpServer.echo();
             RunningForwarder oi = RunningForwarder.start(dir, "127.0.0.1 0 127.0.0.1 " + backend.port() + " [acceptproxy=v1]\n",
                     Settings.DEFAULTS);
             Socket client = oi.connect(0)) {
            Thread.sleep(300);
            assertThat(oi.forwarder().live().count()).as("connections oi holds before any byte").isEqualTo(defersAccepts() ? 0 : 1);
            client.getOutputStream().write("PROXY TCP4 203.0.113.7 192.0.2.1 5555 80\r\nhello".getBytes(StandardCharsets.US_ASCII));
            assertThat(client.getInputStream().readNBytes(5)).isEqualTo("hello".getBytes(StandardCharsets.US_ASCII));
            assertThat(oi.forwarder().live().count()).isEqualTo(1);
        }
    }

    @Test
    void aReloadThatTakesAcceptProxyAwayAcceptsAtOnceAgain() throws Exception {
        try (TcpServer backend = TcpServer.echo();
             RunningForwarder oi = RunningForwarder.start(dir, "127.0.0.1 0 127.0.0.1 " + backend.port() + " [acceptproxy=v1]\n",
                     Settings.DEFAULTS)) {
            int port = oi.port(0);
            Files.writeString(oi.rulesFile(), "127.0.0.1 0 127.0.0.1 " + backend.port() + "\n");
            assertThat(oi.forwarder().reload()).isTrue();
            assertThat(oi.port(0)).as("the same listening socket").isEqualTo(port);
            try (Socket client = oi.connect(0)) {
                Thread.sleep(300); // the kernel would hold a deferred one for about a second
                assertThat(oi.forwarder().live().count()).as("connections oi holds before any byte").isEqualTo(1);
            }
        }
    }
}
