package oi.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import oi.settings.Settings;
import oi.testing.RunningForwarder;
import oi.testing.TcpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** unix:/path on either side of a rule: a stale file is replaced, the file is removed at exit. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UnixSocketTest {

    @TempDir
    Path dir;

    private static String roundTrip(SocketChannel channel, String text) throws IOException {
        channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
        channel.shutdownOutput();
        ByteBuffer back = ByteBuffer.allocate(1024);
        while (channel.read(back) >= 0) {
            // until the forwarder passes the echo's end on
        }
        return new String(back.array(), 0, back.position(), StandardCharsets.US_ASCII);
    }

    @Test
    void aUnixSocketBindSideForwardsToTcpAndReplacesAStaleFile() throws Exception {
        Path socket = dir.resolve("oi.sock");
        try (ServerSocketChannel stale = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            stale.bind(UnixDomainSocketAddress.of(socket)); // an earlier run's file, its server gone
        }
        assertThat(socket).exists();
        try (TcpServer backend = TcpServer.echo();
             RunningForwarder oi = RunningForwarder.start(dir, "unix:" + socket + " 127.0.0.1 " + backend.port() + "\n",
                     Settings.DEFAULTS)) {
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                assertThat(roundTrip(client, "over a unix socket")).isEqualTo("over a unix socket");
            }
            oi.close();
            assertThat(socket).as("the socket file is removed at exit").doesNotExist();
        }
    }

    @Test
    void aTcpRuleForwardsToAUnixSocketBackend() throws Exception {
        Path socket = dir.resolve("app.sock");
        try (ServerSocketChannel app = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            app.bind(UnixDomainSocketAddress.of(socket));
            Thread.ofVirtual().start(() -> {
                try (SocketChannel accepted = app.accept()) {
                    ByteBuffer buffer = ByteBuffer.allocate(1024);
                    while (accepted.read(buffer) >= 0) {
                        buffer.flip();
                        accepted.write(buffer);
                        buffer.clear();
                    }
                } catch (IOException e) {
                    // the test fails on the client side
                }
            });
            try (RunningForwarder oi = RunningForwarder.start(dir, "127.0.0.1 0 unix:" + socket + "\n", Settings.DEFAULTS);
                 var client = oi.connect(0)) {
                client.getOutputStream().write("to a unix backend".getBytes(StandardCharsets.US_ASCII));
                client.shutdownOutput();
                assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("to a unix backend");
            }
        }
    }

    @Test
    void aRegularFileInTheWayIsNeverDeleted() throws Exception {
        Path notASocket = Files.writeString(dir.resolve("important.txt"), "keep me");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RunningForwarder.start(dir, "unix:" + notASocket + " 127.0.0.1 9\n",
                Settings.DEFAULTS)).hasMessageContaining("exists and is not a socket");
        assertThat(notASocket).hasContent("keep me");
    }
}
