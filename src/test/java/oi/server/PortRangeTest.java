package oi.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import oi.live.Listener;
import oi.settings.Settings;
import oi.testing.LogLines;
import oi.testing.RunningForwarder;
import oi.testing.Streams;
import oi.testing.TcpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A port range forwards every port of it, logs the real ports, and a reload touches only the ports that changed. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PortRangeTest {
    private static final int PORTS = 5;

    @TempDir
    Path dir;

    /** The first of {@code count} consecutive loopback ports that are free now. */
    private static int freePorts(int count) {
        while (true) {
            int base = ThreadLocalRandom.current().nextInt(30_000, 60_000);
            List<ServerSocket> held = new ArrayList<>();
            try {
                for (int i = 0; i < count; i++) {
                    ServerSocket socket = new ServerSocket();
                    held.add(socket);
                    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), base + i));
                }
                return base;
            } catch (IOException taken) {
                // some port of this block is in use: another block
            } finally {
                for (ServerSocket socket : held) {
                    try {
                        socket.close();
                    } catch (IOException e) {
                        // closing a probe
                    }
                }
            }
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    @Test
    void everyPortOfARangeForwardsToItsOwnBackendPortAndTheLogShowsTheRealPorts() throws Exception {
        int backendBase = freePorts(PORTS);
        Path log = dir.resolve("oi.log");
        // Backends on consecutive ports, each answering with its own index.
        List<ServerSocket> sockets = new ArrayList<>();
        for (int i = 0; i < PORTS; i++) {
            ServerSocket server = new ServerSocket(backendBase + i, 50, InetAddress.getLoopbackAddress());
            sockets.add(server);
            int index = i;
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        try (Socket accepted = server.accept()) {
                            accepted.getOutputStream().write('0' + index);
                        }
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
        }
        int bindBase = freePorts(PORTS);
        try (RunningForwarder oi = RunningForwarder.start(dir, "logfile " + log + "\n127.0.0.1 " + bindBase + "-" + (bindBase + PORTS - 1)
                + " 127.0.0.1 " + backendBase + "-" + (backendBase + PORTS - 1) + "\n", Settings.of())) {
            assertThat(oi.forwarder().listeners()).hasSize(PORTS);
            assertThat(acceptThreads()).as("one thread accepts for the whole range").hasSize(1);
            for (int i = 0; i < PORTS; i++) {
                try (Socket client = connect(bindBase + i)) {
                    assertThat(client.getInputStream().read()).as("port %d", bindBase + i).isEqualTo('0' + i);
                }
            }
            List<String> lines = LogLines.await(log, PORTS);
            for (int i = 0; i < PORTS; i++) {
                int port = i;
                assertThat(lines).anySatisfy(line -> assertThat(line)
                        .contains("\t127.0.0.1\t" + (bindBase + port) + "\t127.0.0.1\t" + (backendBase + port) + "\t"));
            }
        } finally {
            for (ServerSocket server : sockets) {
                server.close();
            }
        }
    }

    @Test
    void aReloadThatMovesARangeOpensAndClosesOnlyThePortsThatChanged() throws Exception {
        int base = freePorts(PORTS + 2);
        try (TcpServer echo = TcpServer.echo();
             RunningForwarder oi = RunningForwarder.start(dir, "127.0.0.1 " + base + "-" + (base + PORTS - 1) + " 127.0.0.1 "
                     + echo.port() + "\n", Settings.of())) {
            Map<Integer, Listener> before = byPort(oi.forwarder().listeners());
            Files.writeString(oi.rulesFile(), "127.0.0.1 " + (base + 2) + "-" + (base + PORTS + 1) + " 127.0.0.1 " + echo.port() + "\n");
            assertThat(oi.forwarder().reload()).isTrue();
            Map<Integer, Listener> after = byPort(oi.forwarder().listeners());
            assertThat(after.keySet()).containsExactlyInAnyOrder(base + 2, base + 3, base + 4, base + 5, base + 6);
            for (int port = base + 2; port < base + PORTS; port++) {
                assertThat(after.get(port)).as("port %d kept", port).isSameAs(before.get(port));
            }
            assertThat(after.get(base + 5)).isNotIn(before.values());
            for (int port : after.keySet()) {
                try (Socket client = connect(port)) {
                    assertThat(Streams.echoed(client, 4096, port)).isTrue();
                }
            }
            try (ServerSocket reclaimed = new ServerSocket(base, 50, InetAddress.getLoopbackAddress())) {
                assertThat(reclaimed.getLocalPort()).as("a port the range left is free again").isEqualTo(base);
            }
        }
    }

    @Test
    void portsOfARangeThatCannotBeBoundAreOneLineAndNothingStaysBound() throws Exception {
        int base = freePorts(PORTS);
        try (ServerSocket second = new ServerSocket(base + 1, 50, InetAddress.getLoopbackAddress());
             ServerSocket fourth = new ServerSocket(base + 3, 50, InetAddress.getLoopbackAddress())) {
            String rules = "127.0.0.1 " + base + "-" + (base + PORTS - 1) + " 127.0.0.1 9\n";
            Throwable failure = catchThrowable(() -> RunningForwarder.start(dir, rules, Settings.of()));
            assertThat(failure).isInstanceOf(StartupException.class);
            assertThat(failure.getMessage()).doesNotContain("\n").contains(":1: cannot bind 127.0.0.1:" + (base + 1) + ": ")
                    .endsWith(" (and 1 more ports of its range)");
            try (ServerSocket first = new ServerSocket(base, 50, InetAddress.getLoopbackAddress())) {
                assertThat(first.getLocalPort()).as("what was bound is closed again").isEqualTo(base);
            }
        }
    }

    @Test
    void theRangesAcceptThreadEndsWithItsLastPort() throws Exception {
        int base = freePorts(PORTS);
        RunningForwarder oi = RunningForwarder.start(dir, "127.0.0.1 " + base + "-" + (base + PORTS - 1) + " 127.0.0.1 9\n", Settings.of());
        assertThat(acceptThreads()).hasSize(1);
        oi.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!acceptThreads().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(acceptThreads()).isEmpty();
    }

    /** The platform threads that accept for a range: named after its rule line. */
    private List<Thread> acceptThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().startsWith("oi-accept " + dir)).toList();
    }

    private static Map<Integer, Listener> byPort(List<Listener> listeners) {
        return listeners.stream().collect(Collectors.toMap(Listener::localPort, Function.identity()));
    }
}
