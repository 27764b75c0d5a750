package oi.rules;

import java.net.Inet4Address;
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
        if (text.indexOf(':') >= 0 && !Glob.hasWildcard(text)) {
            // One IPv6 address has many spellings (2001:db8::1, 2001:DB8:0:0:0:0:0:1, ::ffff:10.0.0.5 for
            // 10.0.0.5): a pattern without wildcards meets the address, not one spelling of its text.
            try {
                return new Cidr(text, Cidr.parse(text + "/128", text.length()).network(), 128);
            } catch (IllegalArgumentException notAnAddress) {
                // matches nothing, as rinetd takes it
            }
        }
        return new Wildcard(text);
    }

    /** rinetd's glob: {@code ?} is one character, {@code *} any run, everything else literal. */
    record Wildcard(String text, Glob glob) implements AddressPattern {
        static final Pattern ALLOWED = Pattern.compile("[0-9a-fA-F.:?*]+");

        Wildcard(String text) {
            this(text, Glob.of(text.toLowerCase()));
        }

        /**
         * Whether the client's text fits the glob. Where the pattern has a colon, an IPv4 client is
         * tried in its IPv4-mapped form too, {@code ::ffff:a.b.c.d}: rinetd on an IPv6 socket sees
         * it so, and its files say {@code deny ::ffff:10.0.0.5}, where Java hands oi the IPv4
         * address. An IPv6 client is tried with every group written too, the spelling oi matched
         * before it wrote addresses as inet_ntop does.
         */
        @Override
        public boolean matches(InetAddress address) {
            String client = Addresses.text(address); // lower case already, as the glob is
            if (glob.matches(client)) {
                return true;
            }
            if (text.indexOf(':') < 0) {
                return false;
            }
            return address instanceof Inet4Address ? glob.matches("::ffff:" + client)
                    : glob.matches(Addresses.everyGroup(address)); // such as 2001:db8:0:0:0:0:0:*
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
                network = host.indexOf(':') >= 0 ? Addresses.ipv6Form(literal) : literal.getAddress();
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
                candidate = Addresses.ipv6Form(address);
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
