package oi.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * The benchmark's backend: echoes every byte on a platform thread per connection, the same
 * for every forwarder measured, so that differences belong to the forwarders.
 */
public final class EchoServer implements AutoCloseable {
    private final ServerSocket server;

    /** Starts echoing on the address (port 0 for any free port). */
    public EchoServer(InetSocketAddress address) throws IOException {
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(address, 4096);
        Thread.ofPlatform().daemon(true).name("bench-echo-accept").start(this::acceptLoop);
    }

    /** The port it listens on. */
    public int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                socket.setTcpNoDelay(true);
                Thread.ofPlatform().daemon(true).start(() -> echo(socket));
            } catch (IOException | OutOfMemoryError e) {
                if (server.isClosed()) {
                    return;
                }
            }
        }
    }

    private static void echo(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
