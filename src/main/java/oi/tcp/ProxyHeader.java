package oi.tcp;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import oi.rules.ProxyProtocol;

/**
 * The PROXY protocol header (HAProxy's proxy-protocol.txt) that a rule with {@code proxy=v1|v2}
 * sends to the backend first, so that nginx or haproxy behind oi can log the real client.
 */
final class ProxyHeader {
    /** The 12 bytes every version 2 header starts with. */
    static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    private ProxyHeader() {
    }

    /**
     * Writes the header {@code version} asks for, if any, to the backend before any byte of the
     * client, naming {@code source} and the address the client reached oi at.
     */
    static void send(ProxyProtocol version, SocketChannel backend, SocketAddress source, SocketChannel client)
            throws IOException {
        if (version == ProxyProtocol.NONE) {
            return;
        }
        ByteBuffer header = ByteBuffer.wrap(of(version, source, client.getLocalAddress()));
        while (header.hasRemaining()) {
            backend.write(header);
        }
    }

    /**
     * The header for a client at {@code source} that connected to {@code destination} (oi's own
     * address); an IPv4 address meeting an IPv6 one is written in its IPv4-mapped IPv6 form, and
     * a client on a Unix domain socket, which has no IP address, gets the spec's "unknown" header.
     */
    static byte[] of(ProxyProtocol version, SocketAddress source, SocketAddress destination) {
        if (!(source instanceof InetSocketAddress from) || !(destination instanceof InetSocketAddress to)) {
            return switch (version) {
                case NONE -> new byte[0];
                case V1 -> "PROXY UNKNOWN\r\n".getBytes(StandardCharsets.US_ASCII);
                case V2 -> ByteBuffer.allocate(16).put(V2_SIGNATURE).put((byte) 0x20).put((byte) 0).putShort((short) 0).array();
            };
        }
        boolean ipv6 = from.getAddress() instanceof Inet6Address || to.getAddress() instanceof Inet6Address;
        byte[] fromBytes = ipv6 ? sixteen(from.getAddress()) : from.getAddress().getAddress();
        byte[] toBytes = ipv6 ? sixteen(to.getAddress()) : to.getAddress().getAddress();
        return switch (version) {
            case NONE -> new byte[0];
            case V1 -> ("PROXY " + (ipv6 ? "TCP6 " : "TCP4 ") + text(fromBytes) + " " + text(toBytes) + " "
                    + from.getPort() + " " + to.getPort() + "\r\n").getBytes(StandardCharsets.US_ASCII);
            case V2 -> {
                ByteBuffer header = ByteBuffer.allocate(16 + 2 * fromBytes.length + 4);
                header.put(V2_SIGNATURE)
                        .put((byte) 0x21) // version 2, command PROXY
                        .put((byte) (ipv6 ? 0x21 : 0x11)) // TCP over IPv6 or over IPv4
                        .putShort((short) (2 * fromBytes.length + 4))
                        .put(fromBytes).put(toBytes)
                        .putShort((short) from.getPort()).putShort((short) to.getPort());
                yield header.array();
            }
        };
    }

    private static byte[] sixteen(InetAddress address) {
        if (address instanceof Inet4Address) {
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(address.getAddress(), 0, mapped, 12, 4);
            return mapped;
        }
        return address.getAddress();
    }

    private static String text(byte[] address) {
        try {
            // Inet6Address keeps an IPv4-mapped address in IPv6 form, as a TCP6 line needs.
            return (address.length == 16 ? Inet6Address.getByAddress(null, address, null) : InetAddress.getByAddress(address))
                    .getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e); // cannot happen: 4 or 16 bytes
        }
    }
}
