package oi.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A UDP backend on a loopback port that sends every datagram back to its sender, as it came. */
public final class UdpEcho implements AutoCloseable {
    private final DatagramChannel channel;
    private final Set<SocketAddress> senders = ConcurrentHashMap.newKeySet();

    /** Starts the echo on 127.0.0.1 and a free port. */
    public UdpEcho() throws IOException {
        channel = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread.ofVirtual().name("test-udp-echo").start(() -> {
            ByteBuffer datagram = ByteBuffer.allocate(65_535);
            try {
                while (true) {
                    SocketAddress from = channel.receive(datagram.clear());
                    senders.add(from);
                    channel.send(datagram.flip(), from);
                }
            } catch (IOException e) {
                // closed
            }
        });
    }

    /** The port it listens on. */
    public int port() {
        return ((InetSocketAddress) channel.socket().getLocalSocketAddress()).getPort();
    }

    /** Every address that sent it a datagram: one per forwarder session. */
    public Set<SocketAddress> senders() {
        return senders;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
