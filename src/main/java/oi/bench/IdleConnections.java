package oi.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/** Holds many idle connections open through a forwarder, so that its memory per idle connection can be read. */
public final class IdleConnections {

    private IdleConnections() {
    }

    /**
     * Opens {@code count} connections, proves each one works with a one-byte echo, and returns
     * them open; the caller closes them.
     */
    public static List<Socket> open(InetSocketAddress target, int count) throws IOException {
        List<Socket> sockets = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Socket socket = new Socket();
            sockets.add(socket);
            socket.connect(target, 10_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(1);
            if (socket.getInputStream().read() != 1) {
                throw new IOException("connection " + i + " did not echo");
            }
        }
        return sockets;
    }
}
