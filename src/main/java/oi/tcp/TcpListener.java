package oi.tcp;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import oi.runtime.ActiveRule;
import oi.runtime.Context;
import oi.runtime.Listener;
import org.tinylog.Logger;

/**
 * The listening socket of one TCP rule and its accept loop, which starts one session thread
 * per accepted connection. One named platform thread per listener, like Helidon's ServerListener.
 */
public final class TcpListener implements Listener {
    /** Pending connections the kernel may queue; rinetd uses 128, busy forwarders want more. */
    static final int BACKLOG = 1024;
    private static final long ACCEPT_BACKOFF_MILLIS = 100;

    private final ServerSocket server;
    private final Context context;
    private volatile ActiveRule active;
    private Thread acceptor;

    private TcpListener(ServerSocket server, ActiveRule active, Context context) {
        this.server = server;
        this.active = active;
        this.context = context;
    }

    /**
     * Binds the rule's address; nothing is accepted until {@link #start}.
     *
     * @throws IOException when the address cannot be bound (in use, no permission, not local)
     */
    public static TcpListener bind(ActiveRule active, Context context) throws IOException {
        ServerSocket server = new ServerSocket();
        try {
            server.setReuseAddress(true);
            server.bind(active.rule().bind().socketAddress(), BACKLOG);
        } catch (IOException e) {
            server.close();
            throw e;
        }
        return new TcpListener(server, active, context);
    }

    @Override
    public void start() {
        acceptor = Thread.ofPlatform().daemon(true)
                .name("oi-accept " + active.rule().bind())
                .start(this::acceptLoop);
    }

    @Override
    public void update(ActiveRule reloaded) {
        active = reloaded;
    }

    @Override
    public ActiveRule active() {
        return active;
    }

    @Override
    public int localPort() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (!server.isClosed()) {
                    Logger.warn("accept on {} failed: {}", active.rule().bind(), e.getMessage());
                    pause(ACCEPT_BACKOFF_MILLIS); // e.g. out of descriptors: retrying at once would spin
                }
                continue;
            }
            long id = context.live().nextId();
            TcpSession session = new TcpSession(id, client, active, context);
            context.settings().threads().start("oi-pump #" + id + " c→b", session);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            Logger.warn("closing listener {}: {}", active.rule().bind(), e.getMessage());
        }
        if (acceptor != null) {
            try {
                acceptor.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
