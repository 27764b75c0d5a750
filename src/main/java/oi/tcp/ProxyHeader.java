package oi.tcp;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import oi.rules.Addresses;
import oi.rules.Endpoint;
import oi.rules.ProxyProtocol;

/**
 * The PROXY protocol header (HAProxy's proxy-protocol.txt), both ways: the one a rule with
 * {@code proxy=v1|v2} sends to the backend first, so that nginx or haproxy behind oi can log the
 * real client, and the one a rule with {@code acceptproxy=} reads from a balancer in front of oi.
 */
final class ProxyHeader {
    /** The longest header taken: a v1 line is at most 107 bytes, and v2 TLVs past this are not a balancer's. */
    static final int MAX_RECEIVED = 2048;
    /** Room for a v1 line, a v2 header with IPv6 addresses, and a first request. */
    private static final int FIRST_READ = 512;

    /**
     * What a client's PROXY header said, and the bytes that came after it in the same reads.
     *
     * @param source the real client, or null for a {@code LOCAL} or {@code UNKNOWN} header (the peer stands)
     * @param destination the address the real client reached, or null likewise
     * @param early the bytes read past the header, which go to the backend first
     */
    record Received(InetSocketAddress source, InetSocketAddress destination, ByteBuffer early) {
        /** What a rule without {@code acceptproxy=} heard: nothing, and no bytes ahead. */
        static final Received NOTHING = new Received(null, null, ByteBuffer.allocate(0));
    }

    /** A header that is missing, malformed or oversized, with a message for the log. */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }
    /** The 12 bytes every version 2 header starts with. */
    static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    private ProxyHeader() {
    }

    /**
     * Writes the header {@code version} asks for, if any, to the backend before any byte of the
     * client, naming {@code source} and {@code destination}, or when that is null the address the
     * client reached oi at; {@code early}, the client's bytes already read, goes in the same write.
     */
    static void send(ProxyProtocol version, SocketChannel backend, SocketAddress source, SocketAddress destination,
                     SocketChannel client, ByteBuffer early) throws IOException {
        ByteBuffer header = ByteBuffer.wrap(version == ProxyProtocol.NONE ? new byte[0]
                : of(version, source, destination != null ? destination : client.getLocalAddress()));
        ByteBuffer[] first = {header, early.duplicate()}; // a copy: each backend tried gets all of them
        while (first[1].hasRemaining() || header.hasRemaining()) {
            backend.write(first);
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
                case NONE, ANY -> new byte[0];
                case V1 -> "PROXY UNKNOWN\r\n".getBytes(StandardCharsets.US_ASCII);
                case V2 -> ByteBuffer.allocate(16).put(V2_SIGNATURE).put((byte) 0x20).put((byte) 0).putShort((short) 0).array();
            };
        }
        boolean ipv6 = from.getAddress() instanceof Inet6Address || to.getAddress() instanceof Inet6Address;
        byte[] fromBytes = ipv6 ? Addresses.ipv6Form(from.getAddress()) : from.getAddress().getAddress();
        byte[] toBytes = ipv6 ? Addresses.ipv6Form(to.getAddress()) : to.getAddress().getAddress();
        return switch (version) {
            case NONE, ANY -> new byte[0]; // ANY is for taking headers: the config never lets it be sent
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

    /**
     * Reads the header {@code accepted} allows (either for {@link ProxyProtocol#ANY}) from a client
     * that must send one first; bytes past it are kept for the backend, never lost.
     *
     * @throws Malformed when what came is no such header, or is longer than {@link #MAX_RECEIVED}
     * @throws IOException when the client closed or failed first (a timeout closes it too)
     */
    static Received receive(SocketChannel client, ProxyProtocol accepted) throws IOException, Malformed {
        ByteBuffer in = ByteBuffer.allocate(FIRST_READ);
        while (true) {
            int length = headerLength(in, accepted);
            if (length > 0) {
                Received received = parse(in.array(), length);
                in.flip().position(length);
                return new Received(received.source(), received.destination(), in.slice());
            }
            if (!in.hasRemaining()) {
                if (in.capacity() == MAX_RECEIVED) {
                    throw new Malformed("PROXY header longer than " + MAX_RECEIVED + " bytes");
                }
                in = ByteBuffer.allocate(MAX_RECEIVED).put(in.flip()); // TLVs: room for the longest header taken
            }
            if (client.read(in) < 0) {
                throw new Malformed(in.position() == 0 ? "closed before a PROXY header" : "closed within the PROXY header");
            }
        }
    }

    /** The length of the complete header at the start of {@code in}, 0 while more bytes are needed. */
    private static int headerLength(ByteBuffer in, ProxyProtocol accepted) throws Malformed {
        byte[] bytes = in.array();
        int have = in.position();
        boolean v2 = startsWith(bytes, have, V2_SIGNATURE);
        boolean v1 = startsWith(bytes, have, "PROXY ".getBytes(StandardCharsets.US_ASCII));
        if (!v1 && !v2) {
            throw new Malformed("no PROXY header" + (accepted == ProxyProtocol.ANY ? "" : " " + word(accepted)));
        }
        if (v1 && v2) {
            return 0; // too few bytes to tell yet
        }
        if (v1 ? accepted == ProxyProtocol.V2 : accepted == ProxyProtocol.V1) {
            throw new Malformed("a PROXY " + (v1 ? "v1" : "v2") + " header where " + word(accepted) + " is expected");
        }
        if (v2) {
            if (have < 16) {
                return 0;
            }
            int length = 16 + ((bytes[14] & 0xff) << 8 | bytes[15] & 0xff);
            if (length > MAX_RECEIVED) {
                throw new Malformed("PROXY v2 header of " + length + " bytes, longer than " + MAX_RECEIVED);
            }
            return length <= have ? length : 0;
        }
        for (int i = 1; i < have; i++) {
            if (bytes[i - 1] == '\r' && bytes[i] == '\n') {
                return i + 1;
            }
        }
        if (have >= 107) {
            throw new Malformed("PROXY v1 line longer than 107 bytes");
        }
        return 0;
    }

    /** Whether the first {@code have} bytes agree with {@code prefix} as far as both go. */
    private static boolean startsWith(byte[] bytes, int have, byte[] prefix) {
        for (int i = 0; i < Math.min(have, prefix.length); i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** The addresses of a complete header of {@code length} bytes. */
    static Received parse(byte[] bytes, int length) throws Malformed {
        if (bytes[0] == 'P') {
            return parseV1(new String(bytes, 0, length - 2, StandardCharsets.US_ASCII));
        }
        ByteBuffer header = ByteBuffer.wrap(bytes, 12, length - 12);
        int versionCommand = header.get() & 0xff;
        int family = header.get() & 0xff;
        header.getShort();
        if (versionCommand >> 4 != 2 || (versionCommand & 0x0f) > 1) {
            throw new Malformed("malformed PROXY v2 header: version and command " + Integer.toHexString(versionCommand));
        }
        int addressBytes = switch (family >> 4) {
            case 1 -> 4;
            case 2 -> 16;
            default -> 0; // unspecified or a Unix socket: no IP address to take
        };
        if ((versionCommand & 0x0f) == 0 || addressBytes == 0) {
            return new Received(null, null, null); // LOCAL (a health check of the balancer), or no IP: the peer stands
        }
        if (header.remaining() < 2 * addressBytes + 4) {
            throw new Malformed("PROXY v2 header too short for its addresses");
        }
        byte[] from = new byte[addressBytes];
        byte[] to = new byte[addressBytes];
        header.get(from).get(to);
        try {
            return new Received(new InetSocketAddress(InetAddress.getByAddress(from), header.getShort() & 0xffff),
                    new InetSocketAddress(InetAddress.getByAddress(to), header.getShort() & 0xffff), null);
        } catch (UnknownHostException e) {
            throw new Malformed("PROXY v2 header with a bad address"); // cannot happen: 4 or 16 bytes
        }
    }

    /**
     * The addresses of a v1 line without its CRLF. Split and read by hand, not by regular
     * expressions or a name lookup: this runs for every connection of the rule.
     */
    private static Received parseV1(String line) throws Malformed {
        String[] words = new String[6];
        int count = 0;
        int start = 0; // of the next word, or -1 past the last
        while (start >= 0 && count < words.length) {
            int space = line.indexOf(' ', start);
            words[count++] = line.substring(start, space < 0 ? line.length() : space);
            start = space < 0 ? -1 : space + 1;
        }
        if (count >= 2 && words[1].equals("UNKNOWN")) {
            return new Received(null, null, null); // the peer stands, whatever follows (the spec ignores it)
        }
        if (start >= 0 || count != 6 || !words[1].equals("TCP4") && !words[1].equals("TCP6")) {
            throw new Malformed("malformed PROXY v1 line");
        }
        boolean six = words[1].equals("TCP6");
        return new Received(address(words[2], port(words[4]), six), address(words[3], port(words[5]), six), null);
    }

    /** A v1 port: one to five digits, at most 65535. */
    private static int port(String word) throws Malformed {
        int port = 0;
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            if (c < '0' || c > '9' || i == 5) {
                throw new Malformed("malformed PROXY v1 line");
            }
            port = port * 10 + c - '0';
        }
        if (word.isEmpty() || port > 65535) {
            throw new Malformed("malformed PROXY v1 port " + word);
        }
        return port;
    }

    /** An address literal of a v1 line; a name is never looked up, and a wrong family is malformed. */
    private static InetSocketAddress address(String literal, int port, boolean six) throws Malformed {
        try {
            byte[] four = six ? null : Endpoint.ipv4(literal);
            if (four != null) {
                return new InetSocketAddress(InetAddress.getByAddress(four), port);
            }
            if (six && literal.indexOf(':') >= 0) {
                return new InetSocketAddress(InetAddress.getByName(literal), port); // a literal: parsed, not looked up
            }
        } catch (UnknownHostException e) {
            // malformed, as below
        }
        throw new Malformed("malformed PROXY v1 address " + literal);
    }

    private static String word(ProxyProtocol version) {
        return version.name().toLowerCase(Locale.ROOT);
    }


    private static String text(byte[] address) {
        try {
            // Inet6Address keeps an IPv4-mapped address in IPv6 form, as a TCP6 line needs; written as haproxy's inet_ntop does.
            return Addresses.text(address.length == 16 ? Inet6Address.getByAddress(null, address, null) : InetAddress.getByAddress(address));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e); // cannot happen: 4 or 16 bytes
        }
    }
}
