package oi.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * One side of a forwarding rule: the host as written (for logs), its address resolved at load
 * time, the port and the protocol.
 */
public record Endpoint(String host, InetAddress address, int port, Protocol protocol) {

    /** The address to bind or connect to. */
    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(address, port);
    }

    /**
     * Whether the host is a name rather than an address literal: a name is looked up again for
     * each new connection (cached for {@code --dns-ttl}), so a backend that moves is followed.
     */
    public boolean named() {
        return host.indexOf(':') < 0 && !host.matches("[0-9.]+");
    }

    /** The address to connect to now: looked up again when the host is a name, else the literal. */
    public InetSocketAddress currentAddress() throws java.net.UnknownHostException {
        return named() ? new InetSocketAddress(InetAddress.getByName(host), port) : socketAddress();
    }

    /** Identifies the socket a bind side needs, so a reload can keep a listener whose rule did not move. */
    public String listenKey() {
        return address.getHostAddress() + " " + port + "/" + protocol.suffix();
    }

    @Override
    public String toString() {
        String shown = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        return shown + ":" + port + (protocol == Protocol.TCP ? "" : "/" + protocol.suffix());
    }
}
