package oi.tcp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import oi.threads.EdgePoller;
import org.tinylog.Logger;

/** The two ways a TCP connection lets go of a socket: a plain close (a FIN) and a reset (an RST). */
final class Sockets {

    private Sockets() {
    }

    /**
     * Closes a socket, if there is one, and wakes a thread waiting on it in oi's poller, which
     * the JDK's close does not reach; a failure to close leaves nothing to do.
     */
    static void close(SocketChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            Logger.trace(e, "close");
        }
        EdgePoller.closed(channel);
    }

    /** Resets a socket: SO_LINGER 0 makes close() send RST instead of FIN, and wakes whoever is blocked on it. */
    static void reset(SocketChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            if (channel.isOpen() && channel.getLocalAddress() instanceof InetSocketAddress) {
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            }
        } catch (IOException e) {
            // already closed by the other pump: nothing left to reset
        }
        close(channel);
    }
}
