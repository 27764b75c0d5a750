package oi.threads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * oi's own edge-triggered poller ({@code --poller oi}) on real loopback sockets: no edge lost
 * between a read that would block and its wait, none lost while a socket is out of epoll for a
 * bulk transfer, a close that wakes a waiter, and a connect that waits on it. An IT because only the multi-release jar holds the working poller (JDK 22+);
 * {@code SpliceEdgePollerIT} runs every splice test on it, {@code SpliceIT} on the JDK's pollers.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EdgePollerIT {

    @Test
    void thePollerIsAvailableInThisJvm() {
        assertThat(EdgePoller.unavailable()).isNull();
    }

    @Test
    void tenThousandSmallMessagesEachWaitedForArriveIntact() throws Exception {
        try (Pair pair = Pair.open()) {
            SocketChannel sender = pair.sender();
            SocketChannel receiver = pair.receiver();
            EdgePoller.Watch watch = EdgePoller.shared().watch(receiver, null);
            int messages = 10_000;
            CompletableFuture<Long> received = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    CRC32 crc = new CRC32();
                    ByteBuffer buffer = ByteBuffer.allocate(64);
                    for (long total = 0; total < messages; ) {
                        long edges = watch.readEdges(); // before the read, as Splice takes it
                        buffer.clear();
                        int n = receiver.read(buffer);
                        if (n == 0) {
                            watch.awaitReadable(edges);
                        } else {
                            crc.update(buffer.flip());
                            total += n;
                        }
                    }
                    received.complete(crc.getValue());
                } catch (Throwable e) {
                    received.completeExceptionally(e);
                }
            });
            CRC32 sent = new CRC32();
            for (int i = 0; i < messages; i++) {
                ByteBuffer one = ByteBuffer.wrap(new byte[] {(byte) (i * 31)});
                sent.update(one.duplicate());
                sender.write(one);
                if (i % 100 == 0) {
                    Thread.sleep(0, 50_000); // now and then let the reader drain and wait, so that the waits are real
                }
            }
            assertThat(received.get(30, TimeUnit.SECONDS)).as("every byte, each after a wait where it had to").isEqualTo(sent.getValue());
            watch.release();
        }
    }

    @Test
    void aCloseWakesAThreadWaitingToRead() throws Exception {
        try (Pair pair = Pair.open()) {
            SocketChannel watched = pair.receiver();
            EdgePoller.Watch watch = EdgePoller.shared().watch(watched, null);
            CompletableFuture<Void> woken = new CompletableFuture<>();
            CompletableFuture<Void> waiting = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    long edges = watch.readEdges();
                    assertThat(watched.read(ByteBuffer.allocate(1))).isZero();
                    waiting.complete(null);
                    watch.awaitReadable(edges);
                    woken.completeExceptionally(new AssertionError("woken without an edge or a close"));
                } catch (Throwable e) {
                    woken.completeExceptionally(e);
                }
            });
            waiting.get(10, TimeUnit.SECONDS);
            Thread.sleep(100); // it parks: nothing was sent
            assertThat(woken).isNotDone();
            watched.close();
            EdgePoller.closed(watched);
            assertThatThrownBy(() -> woken.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(AsynchronousCloseException.class);
            watch.release();
        }
    }

    @Test
    void bytesThatComeWhileASocketIsQuietStillWakeItsNextWait() throws Exception {
        try (Pair pair = Pair.open()) {
            EdgePoller.Watch watch = EdgePoller.shared().watch(pair.receiver(), null);
            ByteBuffer buffer = ByteBuffer.allocate(8);
            for (int round = 0; round < 2; round++) { // the bytes come after the wait began, then before it
                watch.quiet(); // as a pump in a bulk transfer: out of epoll until it waits again
                long edges = watch.readEdges();
                assertThat(pair.receiver().read(buffer.clear())).isZero();
                if (round == 1) {
                    pair.sender().write(ByteBuffer.wrap(new byte[] {1})); // before the wait arms the socket again
                }
                CompletableFuture<Void> woken = CompletableFuture.runAsync(() -> {
                    try {
                        watch.awaitReadable(edges);
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }, task -> Thread.ofVirtual().start(task));
                if (round == 0) {
                    Thread.sleep(50);
                    pair.sender().write(ByteBuffer.wrap(new byte[] {1}));
                }
                woken.get(10, TimeUnit.SECONDS);
                assertThat(pair.receiver().read(buffer.clear())).as("round %d", round).isEqualTo(1);
            }
            watch.release();
        }
    }

    @Test
    void aConnectWaitsOnThePollerAndLeavesABlockingConnectedSocket() throws Exception {
        try (ServerSocketChannel server = listener();
             SocketChannel channel = SocketChannel.open()) {
            EdgePoller.Watch watch = EdgePoller.shared().connect(channel, server.getLocalAddress());
            try (SocketChannel accepted = server.accept()) {
                assertThat(channel.isConnected()).isTrue();
                assertThat(channel.isBlocking()).isTrue();
                channel.write(ByteBuffer.wrap(new byte[] {42}));
                ByteBuffer one = ByteBuffer.allocate(1);
                accepted.read(one);
                assertThat(one.get(0)).isEqualTo((byte) 42);
            } finally {
                watch.release();
            }
        }
    }

    @Test
    void aRefusedConnectFailsAsAConnectDoes() throws Exception {
        int closedPort;
        try (ServerSocketChannel gone = listener()) {
            closedPort = ((InetSocketAddress) gone.getLocalAddress()).getPort();
        }
        try (SocketChannel channel = SocketChannel.open()) {
            assertThatThrownBy(() -> EdgePoller.shared().connect(channel, new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort)))
                    .isInstanceOf(ConnectException.class);
        }
    }

    /** A connected loopback pair whose receiving end is non-blocking, as a splice pump reads: a read that would block returns at once. */
    private record Pair(ServerSocketChannel server, SocketChannel sender, SocketChannel receiver) implements AutoCloseable {
        static Pair open() throws IOException {
            ServerSocketChannel server = listener();
            SocketChannel sender = SocketChannel.open(server.getLocalAddress());
            SocketChannel receiver = server.accept();
            receiver.configureBlocking(false);
            return new Pair(server, sender, receiver);
        }

        @Override
        public void close() throws IOException {
            receiver.close();
            sender.close();
            server.close();
        }
    }

    private static ServerSocketChannel listener() throws IOException {
        return ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }
}
