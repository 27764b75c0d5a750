package oi.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import oi.settings.Settings;
import oi.testing.Fds;
import oi.testing.RunningForwarder;
import oi.testing.Streams;
import oi.testing.TcpServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Faults and hostile peers: oi must lose nothing that completes and leak nothing that does not. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FaultsTest {
    /** The first byte a client sends tells the test backend what to do with the connection. */
    private static final int ECHO = 'e';
    private static final int RESET = 'r';

    @TempDir
    Path dir;

    /** Echoes everything, or, when told so, reads a little and then resets the connection. */
    private static TcpServer faultyBackend() throws IOException {
        return TcpServer.start(socket -> {
            InputStream in = socket.getInputStream();
            int mode = in.read();
            if (mode == RESET) {
                in.readNBytes(1000);
                socket.setSoLinger(true, 0);
                return;
            }
            if (mode >= 0) {
                socket.getOutputStream().write(mode);
                in.transferTo(socket.getOutputStream());
            }
        });
    }

    private enum Fate { COMPLETE, CLIENT_ABORT, BACKEND_RESET }

    /** What one connection of the fault mix ended as. */
    private record Result(Fate fate, boolean intact, boolean sawResetOrAbort, boolean cleanButShort, long size) {
    }

    private static Result oneConnection(RunningForwarder oi, Fate fate, long size, long seed) {
        try (Socket client = oi.connect(0)) {
            OutputStream out = client.getOutputStream();
            out.write(fate == Fate.BACKEND_RESET ? RESET : ECHO);
            CompletableFuture<String> sent = CompletableFuture.supplyAsync(() -> {
                try {
                    String sha = Streams.send(fate == Fate.CLIENT_ABORT ? new AbortingStream(client, size / 2) : out, size, seed);
                    client.shutdownOutput();
                    return sha;
                } catch (IOException e) {
                    return "aborted";
                }
            }, r -> Thread.ofVirtual().start(r));
            InputStream in = client.getInputStream();
            Streams.Received back;
            try {
                int first = in.read();
                back = Streams.receive(in);
                if (first != ECHO) {
                    boolean sendOk = !"aborted".equals(sent.join());
                    return new Result(fate, false, false, first == -1 && sendOk, size);
                }
            } catch (IOException e) {
                return new Result(fate, false, true, false, size);
            }
            String sha = sent.join();
            boolean intact = back.bytes() == size && back.sha256().equals(sha);
            return new Result(fate, intact, "aborted".equals(sha), !intact && !"aborted".equals(sha), size);
        } catch (IOException e) {
            return new Result(fate, false, true, false, size);
        }
    }

    /** An output stream that resets its socket after {@code limit} bytes, as a crashing client would. */
    private static final class AbortingStream extends OutputStream {
        private final Socket socket;
        private final long limit;
        private long written;

        AbortingStream(Socket socket, long limit) throws IOException {
            this.socket = socket;
            this.limit = limit;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            if (written + length > limit) {
                socket.setSoLinger(true, 0);
                socket.close();
                throw new IOException("client abort");
            }
            socket.getOutputStream().write(bytes, offset, length);
            written += length;
        }
    }

    /** The settings the fault tests run with; {@link SpliceFaultsIT} runs them with {@code --io splice}. */
    Settings base() {
        return Settings.DEFAULTS;
    }

    @Test
    void faultMixLosesNothingThatCompletesAndLeaksNothing() throws Exception {
        faultMix(Duration.ZERO);
    }

    /** The same checks, round after round, for {@code -Doi.soak.seconds} (600 by default): {@code make soak}. */
    @Test
    @Tag("soak")
    @Timeout(value = 3600, unit = TimeUnit.SECONDS)
    void soak() throws Exception {
        faultMix(Duration.ofSeconds(Long.getLong("oi.soak.seconds", 600)));
    }

    /** Runs rounds of 200 mixed connections (at least one) until {@code length} has passed. */
    private void faultMix(Duration length) throws Exception {
        try (TcpServer backend = faultyBackend();
             RunningForwarder oi = RunningForwarder.start(dir, "127.0.0.1 0 127.0.0.1 " + backend.port() + "\n", base())) {
            oneConnection(oi, Fate.COMPLETE, 1000, 0); // warm-up: pollers open their descriptors once
            assertThat(oi.forwarder().live().awaitEmpty(Duration.ofSeconds(5))).isTrue();
            long baseline = Fds.count() - 2L * Splice.idlePipes(); // pooled pipes are kept on purpose
            long start = System.nanoTime();
            int round = 0;
            do {
                round++;
                int complete = faultMixRound(oi, new SplittableRandom(round));
                assertThat(complete).isGreaterThan(100);
                assertThat(oi.forwarder().live().awaitEmpty(Duration.ofSeconds(10))).as("every connection closed").isTrue();
                long allowed = baseline + 2L * Splice.idlePipes();
                assertThat(Fds.awaitAtMost(allowed, Duration.ofSeconds(10))).isLessThanOrEqualTo(allowed);
                if (length.isPositive()) {
                    System.out.printf("soak: round %d done, %d s of %d s, %d transfers intact, descriptors at baseline%n",
                            round, Duration.ofNanos(System.nanoTime() - start).toSeconds(), length.toSeconds(), complete);
                }
            } while (System.nanoTime() - start < length.toNanos());
        }
    }

    /** 200 concurrent connections of random sizes and fates, with a reload in the middle; returns the intact count. */
    private static int faultMixRound(RunningForwarder oi, SplittableRandom random) throws Exception {
        List<CompletableFuture<Result>> results = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            int dice = random.nextInt(10);
            Fate fate = dice == 0 ? Fate.CLIENT_ABORT : dice == 1 ? Fate.BACKEND_RESET : Fate.COMPLETE;
            long size = random.nextInt(10) == 0 ? 0 : 1L << random.nextInt(24); // 0 to 8 MiB, most small
            long seed = random.nextLong();
            results.add(CompletableFuture.supplyAsync(() -> oneConnection(oi, fate, size, seed),
                    r -> Thread.ofVirtual().start(r)));
            if (i == 100) {
                assertThat(oi.forwarder().reload()).as("a SIGHUP reload in the middle").isTrue();
            }
        }
        int complete = 0;
        for (CompletableFuture<Result> future : results) {
            Result result = future.get(60, TimeUnit.SECONDS);
            if (result.fate() == Fate.COMPLETE) {
                assertThat(result.intact()).as("a transfer nobody disturbed: " + result).isTrue();
                complete++;
            } else {
                assertThat(result.cleanButShort()).as("a broken transfer must not look like a clean short one: " + result)
                        .isFalse();
            }
        }
        return complete;
    }

    @Test
    void hostileClientsDoNotDisturbANormalTransfer() throws Exception {
        try (TcpServer backend = TcpServer.echo();
             RunningForwarder oi = RunningForwarder.start(dir, "127.0.0.1 0 127.0.0.1 " + backend.port() + "\n", base());
             Socket silent = oi.connect(0);
             Socket neverReads = oi.connect(0)) {
            CompletableFuture<Void> flooding = CompletableFuture.runAsync(() -> {
                try {
                    neverReads.getOutputStream().write(new byte[64 << 20]); // blocks once every buffer is full
                } catch (IOException e) {
                    // closed at the end of the test
                }
            }, r -> Thread.ofVirtual().start(r));
            CompletableFuture<Void> resets = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 1000; i++) {
                    try (Socket client = oi.connect(0)) {
                        client.setSoLinger(true, 0);
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                }
            }, r -> Thread.ofVirtual().start(r));

            long size = 32L << 20;
            try (Socket normal = oi.connect(0)) {
                CompletableFuture<String> sent = CompletableFuture.supplyAsync(() -> {
                    try {
                        String sha = Streams.send(normal.getOutputStream(), size, 99);
                        normal.shutdownOutput();
                        return sha;
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
                Streams.Received back = Streams.receive(normal.getInputStream());
                assertThat(back).isEqualTo(new Streams.Received(sent.get(30, TimeUnit.SECONDS), size));
            }
            resets.get(30, TimeUnit.SECONDS);
            assertThat(flooding).isNotDone();
            silent.getOutputStream().write('s');
            assertThat(silent.getInputStream().read()).as("the silent client is still served").isEqualTo('s');
            neverReads.close();
        }
    }
}
