package oi.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * Holds many idle connections open through a forwarder, so that its memory per idle connection
 * can be read and its ceiling of concurrent connections checked.
 */
public final class IdleConnections {

    /** The connections opened and proven, and why opening stopped early (null when all opened). */
    public record Held(List<Socket> sockets, IOException failure) implements AutoCloseable {
        /** Closes every held connection. */
        @Override
        public void close() throws IOException {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    private IdleConnections() {
    }

    /**
     * Opens up to {@code count} connections and proves each one works with a one-byte echo;
     * stops at the first that fails, so the caller learns how many a forwarder held at once.
     */
    public static Held open(InetSocketAddress target, int count) throws IOException {
        List<Socket> sockets = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Socket socket = new Socket();
            sockets.add(socket);
            try {
                socket.connect(target, 10_000);
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(1);
                if (socket.getInputStream().read() != 1) {
                    throw new IOException("connection " + (i + 1) + " did not echo");
                }
            } catch (IOException e) {
                socket.close();
                sockets.remove(socket);
                return new Held(sockets, e);
            }
        }
        return new Held(sockets, null);
    }
}
