package oi.rules;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * One side of a forwarding rule: an IP address and port ({@link Inet}), or a Unix domain socket
 * file, written {@code unix:/path}, which stands for address and port together ({@link Unix}).
 */
public sealed interface Endpoint permits Endpoint.Inet, Endpoint.Unix {

    /** The transport of one side of a forwarding rule; rinetd's ports default to TCP. */
    enum Protocol {
        TCP, UDP;

        /** The suffix as written after a port, e.g. {@code /udp}. */
        public String suffix() {
            return name().toLowerCase();
        }
    }

    /** The prefix that marks a Unix domain socket path in a rules file. */
    String UNIX_PREFIX = "unix:";

    /** The host as written in the rules file, for logs: a name, an address literal, or {@code unix:/path}. */
    String host();

    /** The port; 0 for a Unix domain socket, which has none. */
    int port();

    /** TCP or UDP; a Unix domain socket is always a stream, like TCP. */
    Protocol protocol();

    /** The address to bind, as an IP socket address or a Unix domain one. */
    SocketAddress bindAddress();

    /**
     * The address to connect to now: the literal or socket file, or a name's address, looked up
     * again once {@code --dns-ttl} has passed ({@link Lookups}, off a virtual thread's carrier).
     */
    SocketAddress currentAddress() throws UnknownHostException;

    /** Identifies the socket a bind side needs, so a reload can keep a listener whose rule did not move. */
    String listenKey();

    /**
     * The protocol family of a socket for this endpoint: IPv4 for an IPv4 address (the wildcard
     * included), IPv6 for an IPv6 one ({@code ::} is dual-stack under Linux's default
     * {@code bindv6only}), Unix for a socket file.
     */
    default ProtocolFamily family() {
        return familyOf(bindAddress());
    }

    /**
     * Whether {@code text} is a dotted IPv4 address, each part 0 to 255: what the JDK parses as a
     * literal, where any other dotted text it would look up as a host name.
     */
    static boolean isIpv4Literal(String text) {
        return ipv4(text) != null;
    }

    /**
     * The four bytes of a dotted IPv4 literal, each part 0 to 255 without a leading zero, or null
     * when {@code text} is none; read digit by digit, as a PROXY v1 line is for every connection.
     */
    static byte[] ipv4(String text) {
        byte[] address = new byte[4];
        int parts = 0;
        int value = 0;
        int digits = 0;
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : '.'; // the end closes the last part
            if (c >= '0' && c <= '9' && !(digits > 0 && value == 0)) {
                value = value * 10 + c - '0';
                digits++;
                if (value > 255) {
                    return null;
                }
            } else if (c == '.' && digits > 0 && parts < 4) {
                address[parts++] = (byte) value;
                value = 0;
                digits = 0;
            } else {
                return null; // not a digit or a dot, an empty part, a fifth part or a leading zero
            }
        }
        return parts == 4 ? address : null;
    }

    /** The protocol family of a socket that binds or connects to {@code address}. */
    static ProtocolFamily familyOf(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return inet.getAddress() instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
        }
        return StandardProtocolFamily.UNIX;
    }

    /**
     * An IP endpoint: the host as written, its address resolved at load time, the port and the protocol.
     *
     * @param named whether the host is a name rather than an address literal: a name is looked up
     *     again for each new connection (cached for {@code --dns-ttl}), so a backend that moves is followed
     */
    record Inet(String host, InetAddress address, int port, Protocol protocol, boolean named) implements Endpoint {
        private static final Pattern IPV4_LITERAL = Pattern.compile("[0-9.]+");

        /** An endpoint whose host is a name unless it reads as an address literal; decided once, here. */
        public Inet(String host, InetAddress address, int port, Protocol protocol) {
            this(host, address, port, protocol, host.indexOf(':') < 0 && !IPV4_LITERAL.matcher(host).matches());
        }

        /** The same endpoint on another port, e.g. the one the kernel chose for port 0. */
        public Inet withPort(int bound) {
            return new Inet(host, address, bound, protocol, named);
        }

        /** The address to bind or connect to, as loaded. */
        public InetSocketAddress socketAddress() {
            return new InetSocketAddress(address, port);
        }

        @Override
        public SocketAddress bindAddress() {
            return socketAddress();
        }

        @Override
        public SocketAddress currentAddress() throws UnknownHostException {
            return named ? new InetSocketAddress(Lookups.address(host), port) : socketAddress();
        }

        @Override
        public String listenKey() {
            return address.getHostAddress() + " " + port + "/" + protocol.suffix();
        }

        @Override
        public String toString() {
            String shown = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
            return shown + ":" + port + (protocol == Protocol.TCP ? "" : "/" + protocol.suffix());
        }
    }

    /** A Unix domain socket file; a stream, like TCP, with no address or port of its own. */
    record Unix(Path path) implements Endpoint {
        @Override
        public String host() {
            return UNIX_PREFIX + path;
        }

        @Override
        public int port() {
            return 0;
        }

        @Override
        public Protocol protocol() {
            return Protocol.TCP;
        }

        @Override
        public SocketAddress bindAddress() {
            return UnixDomainSocketAddress.of(path);
        }

        @Override
        public SocketAddress currentAddress() {
            return bindAddress();
        }

        @Override
        public String listenKey() {
            return host();
        }

        @Override
        public String toString() {
            return host();
        }
    }
}
