package oi.runtime;

import java.nio.channels.SocketChannel;

/**
 * Opens the session of a client accepted on a stream (TCP or Unix) listener: tcp→tcp or tcp→udp,
 * the protocol pair chosen once per rule, so that the listener need not know either kind.
 */
@FunctionalInterface
public interface StreamSessions {

    /** A session, not yet started, that owns {@code client} from now on. */
    Session open(Admission admission, SocketChannel client);
}
