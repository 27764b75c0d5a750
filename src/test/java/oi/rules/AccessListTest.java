package oi.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import oi.rules.AccessList.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** rinetd's pattern matching and its four-step evaluation order, pinned before anything changes. */
class AccessListTest {

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    private static List<AddressPattern> patterns(String... texts) {
        return Arrays.stream(texts).map(AddressPattern::parse).toList();
    }

    @ParameterizedTest(name = "{0} ~ {1} = {2}")
    @CsvSource({
            "192.168.2.*,   192.168.2.77,  true",
            "192.168.2.*,   192.168.3.1,   false",
            "192.168.2.1?,  192.168.2.15,  true",
            "192.168.2.1?,  192.168.2.1,   false",
            "192.168.2.1?,  192.168.2.150, false",
            "*,             10.9.8.7,      true",
            "10.*.1,        10.200.3.1,    true",
            "127.0.0.1,     127.0.0.1,     true",
            "127.0.0.1,     127.0.0.10,    false",
            "fe80:*,        fe80::1,       true",
            "FE80:*,        fe80::1,       true",
            "2001:618:*:e43f, 2001:618:0:0:0:0:0:e43f, true",
            "10.0.0.0/8,    10.255.0.1,    true",
            "10.0.0.0/8,    11.0.0.1,      false",
            "192.168.1.128/25, 192.168.1.200, true",
            "192.168.1.128/25, 192.168.1.100, false",
            "0.0.0.0/0,     8.8.8.8,       true",
            "2001:db8::/32, 2001:db8:1::5, true",
            "2001:db8::/32, 2001:db9::5,   false",
            "10.0.0.0/8,    ::1,           false",
            "::1,           ::1,           true",
            "::1,           ::10,          false",
            "2001:db8::1,   2001:db8:0:0:0:0:0:1, true",
            "2001:db8:*,    2001:db8::1,   true",
            "*::1,          fe80::1,       true",
            "::ffff:127.0.0.1, 127.0.0.1,  true",
            "2001:DB8:0:0:0:0:0:1, 2001:db8::1, true",
            "2001:db8:0:0:0:0:0:*, 2001:db8::5, true",
            "2001:db8:0:0:0:0:0:*, 2001:db9::5, false",
            "2001:db8::1,   2001:db8::2,   false",
            "::ffff:127.0.0.1, 127.0.0.2,  false",
            "::ffff:10.*,   10.1.2.3,      true",
            "::ffff:10.*,   11.1.2.3,      false",
            "::ffff:10.0.0.0/104, 10.1.2.3, true",
            "::ffff:10.0.0.0/104, 11.0.0.1, false",
    })
    void patternsMatchAsRinetdDoes(String pattern, String address, boolean matches) throws Exception {
        assertThat(AddressPattern.parse(pattern).matches(ip(address))).isEqualTo(matches);
    }

    @Test
    void badPatternsAreRefused() {
        for (String bad : List.of("host.example", "10.0.0.0/", "10.0.0.0/x", "1.2.3.4/33", "::/129", "10.0.0.*/8", "")) {
            assertThatThrownBy(() -> AddressPattern.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void noPatternsLetEveryoneIn() throws Exception {
        assertThat(AccessList.check(AccessList.EMPTY, AccessList.EMPTY, ip("1.2.3.4"))).isEqualTo(Verdict.ALLOWED);
    }

    @Test
    void globalAllowMustMatchBeforeAnythingElse() throws Exception {
        AccessList global = new AccessList(patterns("10.*"), List.of());
        AccessList rule = new AccessList(patterns("*"), List.of());
        assertThat(AccessList.check(global, rule, ip("192.168.0.1"))).isEqualTo(Verdict.NOT_ALLOWED);
        assertThat(AccessList.check(global, rule, ip("10.0.0.1"))).isEqualTo(Verdict.ALLOWED);
    }

    @Test
    void globalDenyWinsOverTheRulesAllow() throws Exception {
        AccessList global = new AccessList(List.of(), patterns("10.0.0.1"));
        AccessList rule = new AccessList(patterns("10.*"), List.of());
        assertThat(AccessList.check(global, rule, ip("10.0.0.1"))).isEqualTo(Verdict.DENIED);
        assertThat(AccessList.check(global, rule, ip("10.0.0.2"))).isEqualTo(Verdict.ALLOWED);
    }

    @Test
    void ruleAllowThenRuleDeny() throws Exception {
        AccessList rule = new AccessList(patterns("10.*"), patterns("10.0.0.?"));
        assertThat(AccessList.check(AccessList.EMPTY, rule, ip("11.0.0.1"))).isEqualTo(Verdict.NOT_ALLOWED);
        assertThat(AccessList.check(AccessList.EMPTY, rule, ip("10.0.0.5"))).isEqualTo(Verdict.DENIED);
        assertThat(AccessList.check(AccessList.EMPTY, rule, ip("10.0.0.50"))).isEqualTo(Verdict.ALLOWED);
    }

    @Test
    void aGlobalAllowPlusARuleAllowMustBothMatch() throws Exception {
        AccessList global = new AccessList(patterns("10.*"), List.of());
        AccessList rule = new AccessList(patterns("10.1.*"), List.of());
        assertThat(AccessList.check(global, rule, ip("10.2.0.1"))).isEqualTo(Verdict.NOT_ALLOWED);
        assertThat(AccessList.check(global, rule, ip("10.1.0.1"))).isEqualTo(Verdict.ALLOWED);
    }
}
