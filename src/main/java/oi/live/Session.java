package oi.live;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import oi.rules.Addresses;

/**
 * What the registry of live sessions asks of each one: a TCP connection, a tcp→udp bridge or a
 * UDP client. Each kind keeps its own lifecycle; this is only how stop, {@code /status} and the
 * sweeper reach it from outside.
 */
public interface Session {

    /** The id that names this session's threads and log lines. */
    long id();

    /** What {@code /status} shows of this session now. */
    SessionStatus status();

    /** Ends the session at once (stop, or a second SIGTERM); safe from any thread, more than once. */
    void abort();

    /**
     * Ends the session if a step outlived its time limit: a backend connect past
     * {@code --connect-timeout}, or no bytes for the idle limit. Called only by the one sweeper
     * thread of {@link LiveSessions}, never per connection.
     *
     * @param nowNanos the sweeper's {@link System#nanoTime()}
     */
    void sweep(long nowNanos);

    /** A client address as the log shows it: the IP address alone, or {@code unix}. */
    static String logText(SocketAddress client) {
        return client instanceof InetSocketAddress address ? Addresses.text(address.getAddress()) : "unix";
    }

    /** A client address as {@code /status} shows it: the IP address and port, or {@code unix}. */
    static String statusText(SocketAddress client) {
        return client instanceof InetSocketAddress address ? Addresses.withPort(address) : "unix";
    }
}
