package oi.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import oi.rules.ProxyProtocol;
import oi.settings.Settings;
import oi.testing.RunningForwarder;
import oi.testing.TcpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** PROXY protocol headers, byte for byte, and parsed by a real backend as the first thing it reads. */
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
                .isEqualTo("PROXY TCP6 0:0:0:0:0:ffff:a00:1 0:0:0:0:0:0:0:1 1 2\r\n");
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
}
