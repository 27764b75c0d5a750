package oi.rules;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * One {@code allow}/{@code deny} pattern: a rinetd wildcard ({@code 192.168.2.*}, {@code fe80:*})
 * or, beyond rinetd, a CIDR block ({@code 10.0.0.0/8}, {@code 2001:db8::/32}).
 */
public sealed interface AddressPattern {

    /** Whether a client address is covered by this pattern. */
    boolean matches(InetAddress address);

    /** The pattern as written in the rules file. */
    String text();

    /**
     * Parses a pattern as written after {@code allow} or {@code deny}.
     *
     * @throws IllegalArgumentException with a user-facing reason when the text is no pattern
     */
    static AddressPattern parse(String text) {
        int slash = text.indexOf('/');
        if (slash >= 0) {
            return Cidr.parse(text, slash);
        }
        if (!Wildcard.ALLOWED.matcher(text).matches()) {
            throw new IllegalArgumentException(
                    "bad pattern \"" + text + "\": use digits, '.', ':', hex letters, '?' and '*', or a CIDR block");
        }
        return new Wildcard(text);
    }

    /**
     * The text rinetd matches patterns against and logs, as inet_ntop(3) writes it: dotted IPv4,
     * or IPv6 in lower case with its longest run of zero groups as {@code ::} (RFC 5952) and no
     * scope. Java's own {@code getHostAddress} writes every group, so {@code allow ::1} would never
     * meet the {@code 0:0:0:0:0:0:0:1} it gives.
     */
    static String canonicalText(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address.getHostAddress();
        }
        byte[] bytes = address.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = (bytes[2 * i] & 0xff) << 8 | bytes[2 * i + 1] & 0xff;
        }
        int runStart = -1;
        int runLength = 1; // a single zero group stays "0"
        for (int i = 0, j; i < 8; i = j + 1) {
            for (j = i; j < 8 && groups[j] == 0; j++) {
                // j ends past the zero groups from i
            }
            if (j - i > runLength) {
                runStart = i;
                runLength = j - i;
            }
        }
        StringBuilder text = new StringBuilder(39);
        boolean ipv4Tail = runStart == 0 && (runLength == 6 || runLength == 5 && groups[5] == 0xffff); // as glibc writes them
        for (int i = 0; i < (ipv4Tail ? 6 : 8); i++) {
            if (i == runStart) {
                text.append("::");
                i += runLength - 1;
            } else {
                text.append(text.isEmpty() || text.charAt(text.length() - 1) == ':' ? "" : ":").append(Integer.toHexString(groups[i]));
            }
        }
        if (ipv4Tail) {
            text.append(runLength == 5 ? ":" : "").append(bytes[12] & 0xff).append('.').append(bytes[13] & 0xff).append('.')
                    .append(bytes[14] & 0xff).append('.').append(bytes[15] & 0xff);
        }
        return text.toString();
    }

    /**
     * The sixteen bytes of an address: an IPv6 one as it is, an IPv4 one in its IPv4-mapped form
     * ({@code ::ffff:a.b.c.d}), as an IPv6 socket and a PROXY TCP6 line see it.
     */
    static byte[] ipv6Form(InetAddress address) {
        if (address instanceof Inet4Address) {
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(address.getAddress(), 0, mapped, 12, 4);
            return mapped;
        }
        return address.getAddress();
    }

    /** rinetd's glob: {@code ?} is one character, {@code *} any run, everything else literal. */
    record Wildcard(String text, Glob glob) implements AddressPattern {
        static final Pattern ALLOWED = Pattern.compile("[0-9a-fA-F.:?*]+");

        Wildcard(String text) {
            this(text, Glob.of(text.toLowerCase()));
        }

        /**
         * Whether the client's text fits the glob. An IPv4 client is tried in its IPv4-mapped form
         * too, {@code ::ffff:a.b.c.d}, where the pattern has a colon: rinetd on an IPv6 socket
         * sees it so, and its files say {@code deny ::ffff:10.0.0.5}, where Java hands oi the IPv4
         * address.
         */
        @Override
        public boolean matches(InetAddress address) {
            String client = canonicalText(address); // lower case already, as the glob is
            return glob.matches(client) || address instanceof Inet4Address && text.indexOf(':') >= 0 && glob.matches("::ffff:" + client);
        }

        /** By text: two compiled globs of one pattern are the same pattern. */
        @Override
        public boolean equals(Object other) {
            return other instanceof Wildcard wildcard && wildcard.text.equals(text);
        }

        @Override
        public int hashCode() {
            return text.hashCode();
        }
    }

    /** An address block given as {@code address/prefix-length}. */
    record Cidr(String text, byte[] network, int prefixLength) implements AddressPattern {

        static Cidr parse(String text, int slash) {
            String host = text.substring(0, slash);
            String length = text.substring(slash + 1);
            if (!host.matches("[0-9a-fA-F.:]+") || !length.matches("\\d{1,3}")) {
                throw new IllegalArgumentException("bad CIDR block \"" + text + "\"");
            }
            byte[] network;
            try {
                InetAddress literal = InetAddress.getByName(host); // a literal: never a DNS lookup
                // Java reads ::ffff:a.b.c.d as IPv4; written with colons, the block's prefix counts IPv6 bits
                network = host.indexOf(':') >= 0 ? ipv6Form(literal) : literal.getAddress();
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("bad CIDR block \"" + text + "\"");
            }
            int prefix = Integer.parseInt(length);
            if (prefix > network.length * 8) {
                throw new IllegalArgumentException("bad CIDR block \"" + text + "\": prefix longer than the address");
            }
            return new Cidr(text, network, prefix);
        }

        /** By value: a record would compare the address bytes by identity. */
        @Override
        public boolean equals(Object other) {
            return other instanceof Cidr cidr && cidr.text.equals(text) && cidr.prefixLength == prefixLength
                    && java.util.Arrays.equals(cidr.network, network);
        }

        @Override
        public int hashCode() {
            return text.hashCode() * 31 + prefixLength;
        }

        /** Whether the client is in the block; an IPv4 client is in an IPv6 block that holds its IPv4-mapped address. */
        @Override
        public boolean matches(InetAddress address) {
            byte[] candidate = address.getAddress();
            if (candidate.length == 4 && network.length == 16) {
                candidate = ipv6Form(address);
            }
            if (candidate.length != network.length) {
                return false;
            }
            int whole = prefixLength / 8;
            for (int i = 0; i < whole; i++) {
                if (candidate[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefixLength % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (candidate[whole] & mask) == (network[whole] & mask);
        }
    }
}
