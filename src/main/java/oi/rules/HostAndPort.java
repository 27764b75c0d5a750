package oi.rules;

import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * A {@code HOST:PORT} as flags and the rules file write it ({@code [::1]:9100} for IPv6): the one
 * parser of that text, for {@code --metrics}, {@code oi bench --target} and {@code logfile syslog:}.
 */
public record HostAndPort(String host, int port) {

    /** Turns a host name into an address; a seam so tests need no DNS. */
    @FunctionalInterface
    public interface Resolver {
        /** Resolves one host name, as {@link java.net.InetAddress#getByName} does. */
        java.net.InetAddress resolve(String host) throws UnknownHostException;
    }

    /**
     * Splits {@code text} at its last colon, dropping the brackets around an IPv6 host.
     *
     * @param name what the text is, for the message: a flag such as {@code --metrics}
     * @throws IllegalArgumentException with a one-line message naming {@code name} and the text
     */
    public static HostAndPort parse(String name, String text) {
        int colon = text.lastIndexOf(':');
        String host = colon < 0 ? "" : text.substring(0, colon);
        String port = colon < 0 ? "" : text.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty() || host.indexOf('[') >= 0 || host.indexOf(']') >= 0 // "[::1" or "::1]": a bracket unclosed
                || !port.matches("\\d{1,5}") || Integer.parseInt(port) > 65535) {
            throw new IllegalArgumentException(name + " \"" + text + "\" is not HOST:PORT, e.g. 127.0.0.1:9100");
        }
        return new HostAndPort(host, Integer.parseInt(port));
    }

    /** The socket address, with the host looked up through {@code resolver}. */
    public InetSocketAddress resolve(Resolver resolver) throws UnknownHostException {
        return new InetSocketAddress(resolver.resolve(host), port);
    }

    /** The text as written again, with brackets around an IPv6 host. */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
