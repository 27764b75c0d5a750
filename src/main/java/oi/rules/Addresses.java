package oi.rules;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** A client's or a peer's address written and read as rinetd and the PROXY protocol do, which Java's own forms are not. */
public final class Addresses {

    private Addresses() {
    }

    /**
     * The text rinetd matches patterns against and logs, as inet_ntop(3) writes it: dotted IPv4,
     * or IPv6 in lower case with its longest run of zero groups as {@code ::} (RFC 5952) and no
     * scope. Java's own {@code getHostAddress} writes every group, so {@code allow ::1} would never
     * meet the {@code 0:0:0:0:0:0:0:1} it gives.
     */
    public static String text(InetAddress address) {
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
    public static byte[] ipv6Form(InetAddress address) {
        if (address instanceof Inet4Address) {
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(address.getAddress(), 0, mapped, 12, 4);
            return mapped;
        }
        return address.getAddress();
    }

    /** An IPv6 address with all eight groups written, as Java's {@code getHostAddress} gives it, without the scope. */
    static String everyGroup(InetAddress address) {
        String host = address.getHostAddress();
        int scope = host.indexOf('%');
        return scope < 0 ? host : host.substring(0, scope);
    }

    /** An address and port as a user reads them: {@code 10.0.0.1:80}, or {@code [::1]:80}, whose colons need the brackets. */
    public static String withPort(InetSocketAddress address) {
        String host = text(address.getAddress());
        return (address.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
