package oi.balance;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.NetworkChannel;
import oi.report.Outcome;
import oi.rules.Addresses;
import oi.rules.Endpoint;

/**
 * A socket towards one backend, not yet connected: the first step every connect path takes (TCP,
 * UDP, and the two that cross between them), so that each looks the backend up, picks its family
 * and binds {@code src=} the same way and fails with the same log words.
 *
 * @param channel the socket, of the family of {@code address} (so an IPv4 backend needs no dual-stack socket)
 * @param address where the backend is now: a host name is looked up for each new connection
 * @param <C> a stream or a datagram socket
 */
public record Outbound<C extends NetworkChannel>(C channel, SocketAddress address) {

    /** How a connect path makes its kind of socket, e.g. {@code SocketChannel::open}. */
    @FunctionalInterface
    public interface Opener<C> {
        /** A new unbound socket of {@code family}. */
        C open(ProtocolFamily family) throws IOException;
    }

    /**
     * Looks {@code target} up and opens a socket towards it, bound to {@code source} when that is
     * not null and the target has an IP address; a failure closes the socket again.
     */
    public static <C extends NetworkChannel> Outbound<C> open(Endpoint target, InetAddress source, Opener<C> opener)
            throws ConnectFailure {
        SocketAddress address;
        C channel;
        try {
            address = target.currentAddress(); // a name is looked up off the carrier (DnsFollowIT)
            channel = opener.open(Endpoint.familyOf(address));
        } catch (IOException | RuntimeException e) {
            throw new ConnectFailure(e instanceof UnknownHostException ? Outcome.LOCAL_CONNECT_FAILED : Outcome.LOCAL_SOCKET_FAILED,
                    "cannot open a socket: " + e.getMessage());
        }
        if (source != null && address instanceof InetSocketAddress) {
            try {
                channel.bind(new InetSocketAddress(source, 0));
            } catch (IOException | RuntimeException e) { // e.g. an IPv4 src= towards an IPv6 backend
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // nothing was sent on it
                }
                throw new ConnectFailure(Outcome.LOCAL_BIND_FAILED, "cannot bind source address " + Addresses.text(source) + ": "
                        + e.getMessage());
            }
        }
        return new Outbound<>(channel, address);
    }
}
