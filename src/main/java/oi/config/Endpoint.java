package oi.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

/**
 * One side of a forwarding rule: the host as written (for logs), its address resolved at load
 * time, the port and the protocol. A Unix domain socket is written {@code unix:/path} and stands
 * for address and port together: its host is that text, its address null and its port 0.
 */
public record Endpoint(String host, InetAddress address, int port, Protocol protocol) {
    /** The prefix that marks a Unix domain socket path in a rules file. */
    public static final String UNIX_PREFIX = "unix:";

    /** A Unix domain socket endpoint (always a stream, like TCP). */
    public static Endpoint unix(Path path) {
        return new Endpoint(UNIX_PREFIX + path, null, 0, Protocol.TCP);
    }

    /** The socket file of a Unix domain socket endpoint, or null for an IP one. */
    public Path unixPath() {
        return host.startsWith(UNIX_PREFIX) && address == null ? Path.of(host.substring(UNIX_PREFIX.length())) : null;
    }

    /**
     * The protocol family of a socket for this endpoint: IPv4 for an IPv4 address (the wildcard
     * included), IPv6 for an IPv6 one ({@code ::} is dual-stack under Linux's default
     * {@code bindv6only}), Unix for a socket file.
     */
    public ProtocolFamily family() {
        return familyOf(bindAddress());
    }

    /** The protocol family of a socket that binds or connects to {@code address}. */
    public static ProtocolFamily familyOf(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return inet.getAddress() instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
        }
        return StandardProtocolFamily.UNIX;
    }

    /** The address to bind, as an IP socket address or a Unix domain one. */
    public SocketAddress bindAddress() {
        Path path = unixPath();
        return path != null ? UnixDomainSocketAddress.of(path) : socketAddress();
    }

    /** The address to bind or connect to. */
    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(address, port);
    }

    /**
     * Whether the host is a name rather than an address literal: a name is looked up again for
     * each new connection (cached for {@code --dns-ttl}), so a backend that moves is followed.
     */
    public boolean named() {
        return address != null && host.indexOf(':') < 0 && !host.matches("[0-9.]+");
    }

    /** The address to connect to now: looked up again when the host is a name, else the literal or socket file. */
    public SocketAddress currentAddress() throws java.net.UnknownHostException {
        return named() ? new InetSocketAddress(InetAddress.getByName(host), port) : bindAddress();
    }

    /** Identifies the socket a bind side needs, so a reload can keep a listener whose rule did not move. */
    public String listenKey() {
        return address == null ? host : address.getHostAddress() + " " + port + "/" + protocol.suffix();
    }

    @Override
    public String toString() {
        if (address == null) {
            return host;
        }
        String shown = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        return shown + ":" + port + (protocol == Protocol.TCP ? "" : "/" + protocol.suffix());
    }
}
