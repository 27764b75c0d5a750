package oi.tcp;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.tinylog.Logger;

/**
 * The one thread that accepts for every port of a port range: a selector over their listening
 * sockets, so that a range of 10 000 ports costs one thread and not 10 000 parked ones (each a
 * stack of its own, about 2 KiB). What it accepts goes to each port's {@link TcpListener}, as
 * the listener's own thread would hand it on; it ends when the last of its ports closes.
 *
 * <p>A platform thread: a virtual one blocked in {@code select} would hold its carrier.
 */
public final class RangeAcceptor {
    private final String name;
    private Selector selector;
    private final Queue<TcpListener> joining = new ConcurrentLinkedQueue<>();
    private final AtomicInteger members = new AtomicInteger();
    private Thread thread;

    /** An acceptor for the ports of the rule line {@code name}; its selector and thread start with its first port. */
    public RangeAcceptor(String name) {
        this.name = name;
    }

    /** Accepts for {@code listener} from now on; its socket becomes non-blocking. */
    synchronized void join(TcpListener listener, ServerSocketChannel server) throws IOException {
        server.configureBlocking(false);
        if (selector == null) {
            selector = Selector.open();
        }
        members.incrementAndGet();
        joining.add(listener);
        if (thread == null) {
            thread = Thread.ofPlatform().daemon().name("oi-accept " + name).start(this::run);
        }
        selector.wakeup();
    }

    /** A port whose socket was closed leaves; the last one to leave ends the thread. */
    synchronized void leave() {
        members.decrementAndGet();
        if (selector != null) { // null when its join failed before the selector was opened
            selector.wakeup(); // a closed channel's key is cancelled at the next select
        }
    }

    private void run() {
        try {
            while (members.get() > 0) {
                for (TcpListener listener; (listener = joining.poll()) != null; ) {
                    try {
                        listener.channel().register(selector, SelectionKey.OP_ACCEPT, listener);
                    } catch (ClosedChannelException e) {
                        // closed before it was registered: it has left already
                    }
                }
                selector.select();
                for (SelectionKey ready : selector.selectedKeys()) {
                    if (ready.isValid()) {
                        ((TcpListener) ready.attachment()).acceptWaiting();
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | RuntimeException e) {
            Logger.error("accepting on {} stopped: {}", name, e.toString());
        } finally {
            try {
                selector.close();
            } catch (IOException e) {
                // nothing more to release
            }
        }
    }
}
