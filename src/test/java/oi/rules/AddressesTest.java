package oi.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Addresses written as rinetd's inet_ntop writes them, which is what its patterns are matched against. */
class AddressesTest {

    /** The pairs are Python's socket.inet_ntop (glibc) of each address, written out. */
    @ParameterizedTest(name = "{0} is written {1}")
    @CsvSource({
            "::1,                     ::1",
            "::,                      ::",
            "2001:db8:0:0:1:0:0:1,    2001:db8::1:0:0:1",
            "1:0:0:2:0:0:0:3,         1:0:0:2::3",
            "1:2:3:4:5:6:7:0,         1:2:3:4:5:6:7:0",
            "0:0:1:0:0:0:0:0,         0:0:1::",
            "0:0:0:0:0:1:0:0,         ::1:0:0",
            "2001:DB8::A:0,           2001:db8::a:0",
            "1:0:2:0:3:0:4:0,         1:0:2:0:3:0:4:0",
            "::ffff:1.2.3.4,          ::ffff:1.2.3.4",
            "::ffff:0:0,              ::ffff:0.0.0.0",
            "::1.2.3.4,               ::1.2.3.4",
            "fe80::1%1,               fe80::1",
            "10.0.0.1,                10.0.0.1",
    })
    void addressesAreWrittenAsInetNtopWritesThem(String address, String text) throws Exception {
        InetAddress parsed = InetAddress.getByName(address);
        // getByName turns an IPv4-mapped address into IPv4; a socket's peer may still be one in IPv6 form
        InetAddress kept = parsed instanceof Inet4Address && address.contains(":") ? Inet6Address.getByAddress(null, Addresses.ipv6Form(parsed), null)
                                                                                : parsed;
        assertThat(Addresses.text(kept)).isEqualTo(text);
    }

    @Test
    void anIpv4AddressHasSixteenBytesInItsIpv4MappedForm() throws Exception {
        assertThat(Addresses.ipv6Form(InetAddress.getByName("10.1.2.3")))
                .containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3);
        assertThat(Addresses.ipv6Form(InetAddress.getByName("2001:db8::1"))).hasSize(16).endsWith(0, 1);
    }

    @Test
    void anIpv6AddressWithItsPortIsBracketed() throws Exception {
        assertThat(Addresses.withPort(new InetSocketAddress(InetAddress.getByName("::1"), 80))).isEqualTo("[::1]:80");
        assertThat(Addresses.withPort(new InetSocketAddress(InetAddress.getByName("10.0.0.1"), 80))).isEqualTo("10.0.0.1:80");
    }
}
