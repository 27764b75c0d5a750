package oi.udp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import oi.testing.OiProcess;
import oi.testing.SlowResolverProvider;
import oi.testing.UdpEcho;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new UDP client's setup runs off the rule's receive thread: while one client's backend name
 * takes seconds to look up, another client's datagrams go back and forth at once, and the
 * slow client's first datagram is delivered once its backend is open.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UdpSetupIT {

    @TempDir
    Path dir;

    /** Sends a datagram and waits up to {@code millis} for the echo; null when none came. */
    private static String exchange(DatagramChannel client, int port, String text, int millis) throws IOException {
        client.send(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)), new InetSocketAddress("127.0.0.1", port));
        return receive(client, millis);
    }

    private static String receive(DatagramChannel client, int millis) throws IOException {
        client.socket().setSoTimeout(millis);
        java.net.DatagramPacket packet = new java.net.DatagramPacket(new byte[64], 64);
        try {
            client.socket().receive(packet);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return new String(packet.getData(), 0, packet.getLength(), StandardCharsets.US_ASCII);
    }

    @Test
    void aSlowLookupForOneClientDoesNotDelayAnotherClientsDatagrams() throws Exception {
        Path slow = dir.resolve("slow-dns");
        try (UdpEcho backend = new UdpEcho();
             DatagramChannel steady = DatagramChannel.open();
             DatagramChannel newcomer = DatagramChannel.open()) {
            int port = OiProcess.freePort();
            String rules = "127.0.0.1 " + port + "/udp backend" + SlowResolverProvider.DOMAIN + " " + backend.port() + "/udp\n";
            try (OiProcess oi = OiProcess.startWithTestClasses(dir, rules, List.of("-Doi.test.slowDns=" + slow),
                    "--dns-ttl", "0").awaitListening(port)) {
                assertThat(exchange(steady, port, "steady-1", 5000)).as(oi.stderr()).isEqualTo("steady-1");

                Files.createFile(slow); // from now on a lookup of the backend's name takes 3 s
                newcomer.send(ByteBuffer.wrap("newcomer".getBytes(StandardCharsets.US_ASCII)),
                        new InetSocketAddress("127.0.0.1", port));
                Thread.sleep(200); // the newcomer's lookup is under way

                long start = System.nanoTime();
                assertThat(exchange(steady, port, "steady-2", 1000)).as("while the newcomer's lookup runs").isEqualTo("steady-2");
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1000);

                assertThat(receive(newcomer, (int) SlowResolverProvider.DELAY_MILLIS + 5000))
                        .as("the newcomer's first datagram waited for its backend, then went through").isEqualTo("newcomer");
                assertThat(oi.stop()).isZero();
            }
        }
    }
}
