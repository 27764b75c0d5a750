package oi.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import oi.testing.OiProcess;
import oi.testing.SlowResolverProvider;
import oi.testing.Streams;
import oi.testing.TcpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backend host name is looked up again for new connections: one whose address changes is
 * followed without a restart, and a slow lookup holds up only the connection that waits for it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DnsFollowIT {

    @TempDir
    Path dir;

    /** Accepts one connection and answers with its own name. */
    private static Thread answerOnce(ServerSocket server, String name) {
        return Thread.ofVirtual().start(() -> {
            try (Socket socket = server.accept()) {
                socket.getOutputStream().write(name.getBytes(StandardCharsets.US_ASCII));
            } catch (Exception e) {
                // the test fails on the client side
            }
        });
    }

    private static String ask(int port) throws Exception {
        try (Socket client = new Socket("127.0.0.1", port)) {
            client.setSoTimeout(10_000);
            return new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void aBackendThatMovesIsFollowedAfterTheTtl() throws Exception {
        assertAMoveIsFollowed("1", oi -> Thread.sleep(1500)); // past the TTL
    }

    @Test
    void aReloadLooksABackendNameUpAgainBeforeTheTtl() throws Exception {
        assertAMoveIsFollowed("3600", oi -> {
            new ProcessBuilder("kill", "-HUP", Long.toString(oi.process().pid())).start().waitFor();
            for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); !oi.stderr().contains("reloaded"); ) {
                assertThat(System.nanoTime() - deadline).as("a reload within 10 s, " + oi.stderr()).isNegative();
                Thread.sleep(20);
            }
        });
    }

    /** What lets oi see that the backend's name moved, once the hosts file says so. */
    private interface Step {
        void take(OiProcess oi) throws Exception;
    }

    /**
     * The backend's name moves from 127.0.0.1 to 127.0.0.2 in the hosts file while oi runs with
     * {@code --dns-ttl ttl}; after {@code step} the next connection must reach the new address.
     */
    private void assertAMoveIsFollowed(String ttl, Step step) throws Exception {
        try (ServerSocket first = new ServerSocket()) {
            first.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            try (ServerSocket second = new ServerSocket()) {
                second.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), first.getLocalPort()));
                Path hosts = Files.writeString(dir.resolve("hosts"), "127.0.0.1 backend.oi.test\n");
                int port = OiProcess.freePort();
                answerOnce(first, "first");
                answerOnce(second, "second");
                try (OiProcess oi = OiProcess.start(dir, "127.0.0.1 " + port + " backend.oi.test " + first.getLocalPort() + "\n",
                        List.of("env", "OI_JAVA_OPTS=-Djdk.net.hosts.file=" + hosts), "--dns-ttl", ttl).awaitListening(port)) {
                    assertThat(ask(port)).isEqualTo("first");
                    Files.writeString(hosts, "127.0.0.2 backend.oi.test\n");
                    step.take(oi);
                    assertThat(ask(port)).as(oi.stderr()).isEqualTo("second");
                }
            }
        }
    }

    @Test
    void aSlowLookupForOneConnectionDoesNotHoldUpTheBytesOfOthers() throws Exception {
        Path slow = dir.resolve("slow-dns");
        try (TcpServer echo = TcpServer.echo()) {
            int named = OiProcess.freePort();
            int literal = OiProcess.freePort();
            String rules = "127.0.0.1 " + named + " backend" + SlowResolverProvider.DOMAIN + " " + echo.port() + "\n"
                    + "127.0.0.1 " + literal + " 127.0.0.1 " + echo.port() + "\n";
            try (OiProcess oi = OiProcess.startWithTestClasses(dir, rules, List.of("-Doi.test.slowDns=" + slow), "--dns-ttl", "0")
                    .awaitListening(literal);
                 Connections steady = Connections.open(literal, 8)) {
                steady.roundTrip(); // each connection's pumps now wait on the JDK's pollers, spread over all of them
                Files.createFile(slow); // from now on a lookup of the backend's name blocks its thread for 3 s
                try (Socket newcomer = new Socket("127.0.0.1", named)) {
                    Thread.sleep(200); // the newcomer's lookup is under way

                    long start = System.nanoTime();
                    steady.roundTrip();
                    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("round trips on 8 connections while the"
                            + " newcomer's lookup runs, " + oi.stderr()).isLessThan(1000);

                    newcomer.setSoTimeout((int) SlowResolverProvider.DELAY_MILLIS + 5000);
                    newcomer.getOutputStream().write(7);
                    assertThat(newcomer.getInputStream().read()).as("the newcomer, once its lookup is done").isEqualTo(7);
                }
            }
        }
    }

    @Test
    void slowLookupsOfMoreNamesThanCarriersDoNotHoldUpABulkTransfer() throws Exception {
        Path slow = dir.resolve("slow-dns");
        int lookups = Runtime.getRuntime().availableProcessors() + 1; // one more than oi's carriers on this machine
        try (TcpServer echo = TcpServer.echo()) {
            int literal = OiProcess.freePort();
            StringBuilder rules = new StringBuilder("127.0.0.1 " + literal + " 127.0.0.1 " + echo.port() + "\n");
            List<Integer> named = new ArrayList<>();
            for (int i = 0; i < lookups; i++) { // a name each: the JDK lets only one lookup of a name run at a time
                named.add(OiProcess.freePort());
                rules.append("127.0.0.1 ").append(named.get(i)).append(" backend").append(i).append(SlowResolverProvider.DOMAIN)
                        .append(' ').append(echo.port()).append('\n');
            }
            try (OiProcess oi = OiProcess.startWithTestClasses(dir, rules.toString(), List.of("-Doi.test.slowDns=" + slow),
                    "--dns-ttl", "0").awaitListening(literal)) {
                try (Socket warm = new Socket("127.0.0.1", literal)) {
                    assertThat(Streams.echoed(warm, 4 << 20, 1)).isTrue(); // the bulk path compiled before the clock runs
                }
                Files.createFile(slow);
                List<Socket> newcomers = new ArrayList<>();
                try {
                    for (int port : named) {
                        newcomers.add(new Socket("127.0.0.1", port)); // its lookup blocks the platform thread under it for 3 s
                    }
                    Thread.sleep(200);
                    long start = System.nanoTime(); // a bulk pump yields its thread every 256 KiB and must find it again
                    try (Socket bulk = new Socket("127.0.0.1", literal)) {
                        assertThat(Streams.echoed(bulk, 16 << 20, 2)).isTrue();
                    }
                    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("16 MiB echoed while " + lookups
                            + " lookups run, " + oi.stderr()).isLessThan(SlowResolverProvider.DELAY_MILLIS / 2);
                } finally {
                    for (Socket newcomer : newcomers) {
                        newcomer.close();
                    }
                }
            }
        }
    }

    /** Open connections through oi to an echo backend, each of which echoes one byte per round trip. */
    private record Connections(List<Socket> sockets) implements AutoCloseable {
        static Connections open(int port, int count) throws Exception {
            List<Socket> sockets = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Socket socket = new Socket("127.0.0.1", port);
                socket.setSoTimeout(10_000);
                sockets.add(socket);
            }
            return new Connections(sockets);
        }

        void roundTrip() throws Exception {
            for (Socket socket : sockets) {
                socket.getOutputStream().write(42);
                assertThat(socket.getInputStream().read()).isEqualTo(42);
            }
        }

        @Override
        public void close() throws Exception {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }
}
