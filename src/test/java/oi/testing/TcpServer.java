package oi.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real backend on a loopback port chosen by the kernel: each accepted socket is handed to a
 * handler on its own virtual thread, and closed when the handler returns.
 */
public final class TcpServer implements AutoCloseable {

    /** What the backend does with one connection. */
    @FunctionalInterface
    public interface Handler {
        /** Serves one accepted socket; the server closes it afterwards. */
        void serve(Socket socket) throws IOException;
    }

    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();

    private TcpServer(ServerSocket server, Handler handler) {
        this.server = server;
        Thread.ofVirtual().name("test-backend").start(() -> acceptLoop(handler));
    }

    /** Starts a backend on 127.0.0.1. */
    public static TcpServer start(Handler handler) throws IOException {
        return start(InetAddress.getLoopbackAddress(), handler);
    }

    /** Starts a backend on the given local address. */
    public static TcpServer start(InetAddress address, Handler handler) throws IOException {
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(address, 0), 1024);
        return new TcpServer(server, handler);
    }

    /** A backend that writes back every byte it reads, then closes after the client's end of stream. */
    public static TcpServer echo() throws IOException {
        return start(socket -> socket.getInputStream().transferTo(socket.getOutputStream()));
    }

    /** The port the backend listens on. */
    public int port() {
        return server.getLocalPort();
    }

    /** How many connections reached the backend. */
    public int accepted() {
        return accepted.get();
    }

    private void acceptLoop(Handler handler) {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                return;
            }
            accepted.incrementAndGet();
            open.add(socket);
            Thread.ofVirtual().start(() -> {
                try (socket) {
                    handler.serve(socket);
                } catch (IOException e) {
                    // the client went away: normal for a test backend
                } finally {
                    open.remove(socket);
                }
            });
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : open) {
            socket.close();
        }
    }
}
