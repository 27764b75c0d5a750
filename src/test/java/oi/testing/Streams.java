package oi.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/** Deterministic pseudo-random payloads and SHA-256 over streams, for checksum transfers. */
public final class Streams {
    private static final int CHUNK = 64 * 1024;

    private Streams() {
    }

    /** Writes {@code length} pseudo-random bytes from {@code seed}; returns their SHA-256. */
    public static String send(OutputStream out, long length, long seed) throws IOException {
        MessageDigest digest = sha256();
        SplittableRandom random = new SplittableRandom(seed);
        byte[] chunk = new byte[CHUNK];
        long left = length;
        while (left > 0) {
            int n = (int) Math.min(CHUNK, left);
            for (int i = 0; i < n; i += 8) {
                long value = random.nextLong();
                for (int j = 0; j < 8 && i + j < n; j++) {
                    chunk[i + j] = (byte) (value >>> (8 * j));
                }
            }
            out.write(chunk, 0, n);
            digest.update(chunk, 0, n);
            left -= n;
        }
        out.flush();
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * Sends {@code length} pseudo-random bytes from {@code seed} over a new connection to 127.0.0.1:{@code port},
     * half-closes it and waits for the other side to close; returns their SHA-256.
     */
    public static String sendThrough(int port, long length, long seed) throws IOException {
        try (Socket client = new Socket("127.0.0.1", port)) {
            String sent = send(client.getOutputStream(), length, seed);
            client.shutdownOutput();
            if (client.getInputStream().read() != -1) {
                throw new IOException("bytes came back where only the end of stream was expected");
            }
            return sent;
        }
    }

    /**
     * Sends {@code length} pseudo-random bytes on {@code client}, half-closes, and reads what an
     * echo sends back meanwhile (on a thread of its own, so neither side waits for the other);
     * returns whether exactly the bytes sent came back.
     */
    public static boolean echoed(Socket client, long length, long seed) throws Exception {
        java.util.concurrent.CompletableFuture<Received> back = new java.util.concurrent.CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                back.complete(receive(client.getInputStream()));
            } catch (IOException e) {
                back.completeExceptionally(e);
            }
        });
        String sent = send(client.getOutputStream(), length, seed);
        client.shutdownOutput();
        return back.get(60, java.util.concurrent.TimeUnit.SECONDS).equals(new Received(sent, length));
    }

    /** Reads to end of stream; returns the SHA-256 and the count of what was read. */
    public static Received receive(InputStream in) throws IOException {
        MessageDigest digest = sha256();
        byte[] chunk = new byte[CHUNK];
        long total = 0;
        int n;
        while ((n = in.read(chunk)) >= 0) {
            digest.update(chunk, 0, n);
            total += n;
        }
        return new Received(HexFormat.of().formatHex(digest.digest()), total);
    }

    /** What {@link #receive} saw. */
    public record Received(String sha256, long bytes) {
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
