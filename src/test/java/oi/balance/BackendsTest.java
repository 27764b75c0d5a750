package oi.balance;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import oi.config.ConfigParser;
import oi.report.Outcome;
import oi.rules.Endpoint;
import oi.rules.ForwardRule;
import oi.rules.RuleOptions.Health;
import org.junit.jupiter.api.Test;

/** The choice among a rule's backends: each strategy's spread, the order of failover, health and reload. */
class BackendsTest {
    private static final int CLIENTS = 30_000;
    private static final Health ONE_STRIKE = new Health(0, 1, 10);

    private static ForwardRule rule(String text) throws Exception {
        return new ConfigParser().parse(Path.of("/etc/test.conf"), text).rules().get(0);
    }

    private static Backends backends(String text) throws Exception {
        return new Backends(rule(text), Duration.ofSeconds(1));
    }

    private static InetAddress client(int n) throws Exception {
        return InetAddress.getByAddress(new byte[] {10, (byte) (n >> 16), (byte) (n >> 8), (byte) n});
    }

    /** How many of {@code CLIENTS} new clients each backend gets first, by port. */
    private static Map<Integer, Integer> firstChoices(Backends backends) throws Exception {
        Map<Integer, Integer> counts = new HashMap<>();
        for (int i = 0; i < CLIENTS; i++) {
            counts.merge(backends.order(client(i)).get(0).endpoint().port(), 1, Integer::sum);
        }
        return counts;
    }

    private static final String THREE = """
            0.0.0.0 80 127.0.0.1 1001 [balance=%s]
            backend 127.0.0.1 1002
            backend 127.0.0.1 1003
            """;

    @Test
    void roundRobinFollowsTheWeightsExactlyAndSmoothly() throws Exception {
        Backends backends = backends("""
                0.0.0.0 80 127.0.0.1 1001
                backend 127.0.0.1 1002 [weight=2]
                backend 127.0.0.1 1003 [weight=3]
                """);
        assertThat(firstChoices(backends)).containsEntry(1001, 5000).containsEntry(1002, 10000).containsEntry(1003, 15000);
        // Smooth: the heavy backend is spread out, never three times in a row as a plain weighted turn gives.
        StringBuilder turns = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            turns.append(backends.order(null).get(0).endpoint().port() - 1000);
        }
        assertThat(turns.toString()).doesNotContain("333").hasSize(12);
    }

    @Test
    void roundRobinAndRandomKeepEachBackendWithinFivePercentOfItsShare() throws Exception {
        for (String balance : List.of("roundrobin", "random")) {
            Map<Integer, Integer> counts = firstChoices(backends(THREE.formatted(balance)));
            assertThat(counts.values()).as(balance).allSatisfy(count -> assertThat(count).isBetween(9_500, 10_500));
        }
    }

    @Test
    void leastConnPicksTheBackendWithFewestConnectionsForItsWeight() throws Exception {
        Backends backends = backends("""
                0.0.0.0 80 127.0.0.1 1001 [balance=leastconn]
                backend 127.0.0.1 1002 [weight=2]
                backend 127.0.0.1 1003
                """);
        List<BackendState> members = backends.members();
        for (int i = 0; i < 3; i++) {
            members.get(0).connected();
            members.get(1).connected();
        }
        members.get(2).connected();
        members.get(2).connected();
        // Loads per weight: 3, 1.5, 2.
        assertThat(backends.order(null)).extracting(member -> member.endpoint().port()).containsExactly(1002, 1003, 1001);
        members.get(2).release();
        members.get(2).release();
        assertThat(backends.order(null).get(0).endpoint().port()).isEqualTo(1003);
    }

    @Test
    void randomTakesTheLessLoadedOfTwo() throws Exception {
        Backends backends = backends(THREE.formatted("random"));
        for (int i = 0; i < 50; i++) {
            backends.members().get(0).connected();
        }
        Map<Integer, Integer> counts = firstChoices(backends);
        // The loaded backend wins only when both draws fall on it: 1 in 9 of three equal weights.
        assertThat(counts.getOrDefault(1001, 0)).isBetween(CLIENTS / 9 - 600, CLIENTS / 9 + 600);
    }

    @Test
    void ipHashKeepsAClientOnItsBackendAndMovesOnlyTheClientsOfARemovedOne() throws Exception {
        Backends backends = backends("""
                0.0.0.0 80 127.0.0.1 1001 [balance=iphash]
                backend 127.0.0.1 1002
                backend 127.0.0.1 1003
                backend 127.0.0.1 1004
                """);
        int[] before = new int[CLIENTS];
        for (int i = 0; i < CLIENTS; i++) {
            before[i] = backends.order(client(i)).get(0).endpoint().port();
            assertThat(backends.order(client(i)).get(0).endpoint().port()).isEqualTo(before[i]);
        }
        assertThat(firstChoices(backends).values()).allSatisfy(count -> assertThat(count).isBetween(7_000, 8_000));
        backends.update(rule("""
                0.0.0.0 80 127.0.0.1 1001 [balance=iphash]
                backend 127.0.0.1 1002
                backend 127.0.0.1 1004
                """));
        int moved = 0;
        for (int i = 0; i < CLIENTS; i++) {
            int after = backends.order(client(i)).get(0).endpoint().port();
            if (after != before[i]) {
                moved++;
                assertThat(before[i]).as("only the removed backend's clients move").isEqualTo(1003);
            }
        }
        assertThat(moved).isLessThanOrEqualTo(CLIENTS / 4 + CLIENTS / 20);
    }

    @Test
    void failoverTriesTheUpFirstThenBackupsThenTheDown() throws Exception {
        Backends backends = backends("""
                0.0.0.0 80 127.0.0.1 1001 [maxfails=1]
                backend 127.0.0.1 1002 [backup]
                backend 127.0.0.1 1003
                backend 127.0.0.1 1004 [backup]
                """);
        List<BackendState> members = backends.members();
        assertThat(ports(backends.order(null))).containsExactly(1001, 1003, 1002, 1004);
        members.get(0).failed(ONE_STRIKE, "refused");
        assertThat(ports(backends.order(null))).containsExactly(1003, 1002, 1004, 1001);
        members.get(2).failed(ONE_STRIKE, "refused");
        // No primary up: the backups serve, and the down primaries are still tried last (fail-open).
        assertThat(ports(backends.order(null))).startsWith(1002, 1004).containsExactlyInAnyOrder(1001, 1002, 1003, 1004);
        assertThat(ports(backends.order(null)).subList(2, 4)).containsExactly(1001, 1003);
    }

    @Test
    void openMovesOnUntilABackendTakesTheConnectionAndCountsEachFailure() throws Exception {
        Backends backends = backends("""
                0.0.0.0 80 127.0.0.1 1001 [maxfails=2]
                backend 127.0.0.1 1002
                backend 127.0.0.1 1003
                """);
        Backends.Opener<String> onlyThird = target -> {
            if (target.port() != 1003) {
                throw new ConnectFailure(Outcome.LOCAL_CONNECT_FAILED, "refused");
            }
            return "connection to " + target;
        };
        List<BackendState> members = backends.members();
        int clients = 0;
        while (clients < 10 && (members.get(0).up() || members.get(1).up())) {
            Attempt<String> attempt = backends.open(clients++, null, onlyThird, () -> true);
            assertThat(attempt).isInstanceOf(Attempt.Opened.class);
            assertThat(((Attempt.Opened<String>) attempt).backend().endpoint().port()).isEqualTo(1003);
        }
        assertThat(members.get(0).up()).isFalse();
        assertThat(members.get(1).up()).isFalse();
        assertThat(members.get(2).active()).isEqualTo(clients);
        assertThat(members.get(0).failures() + members.get(1).failures()).isEqualTo(4); // 2 + 2, then both are down
        assertThat(ports(backends.order(null))).containsExactly(1003, 1001, 1002);

        Attempt<String> none = backends.open(9, null, target -> {
            throw new ConnectFailure(Outcome.LOCAL_BIND_FAILED, "no source address");
        }, () -> true);
        assertThat(none).isEqualTo(new Attempt.Failed<String>(Outcome.LOCAL_BIND_FAILED, members.get(1).endpoint()));
    }

    @Test
    void aStoppedConnectionStopsTryingAndBlamesNoBackend() throws Exception {
        Backends backends = backends(THREE.formatted("roundrobin"));
        AtomicInteger tries = new AtomicInteger();
        AtomicInteger wanted = new AtomicInteger(1);
        Attempt<String> attempt = backends.open(1, null, target -> {
            tries.incrementAndGet();
            wanted.set(0); // stop arrives while this connect is under way
            throw new ConnectFailure(Outcome.LOCAL_CONNECT_FAILED, "closed by stop");
        }, () -> wanted.get() == 1);
        assertThat(attempt).isInstanceOf(Attempt.Failed.class);
        assertThat(tries).hasValue(1);
        assertThat(backends.members()).allSatisfy(member -> assertThat(member.failures()).isZero());
    }

    @Test
    void aBackendDownByPassiveHealthIsTriedByOneClientAfterItsFailTimeout() throws Exception {
        Backends backends = backends("""
                0.0.0.0 80 127.0.0.1 1001 [maxfails=1,failtimeout=1]
                backend 127.0.0.1 1002
                """);
        BackendState first = backends.members().get(0);
        first.failed(new Health(0, 1, 1), "refused");
        assertThat(ports(backends.order(null))).containsExactly(1002, 1001);
        Thread.sleep(1_100);
        assertThat(ports(backends.order(null))).as("one client tries it first").containsExactly(1001, 1002);
        assertThat(ports(backends.order(null))).as("the others do not, meanwhile").containsExactly(1002, 1001);
        first.connected();
        assertThat(first.up()).isTrue();
        assertThat(ports(backends.order(null))).contains(1001, 1002);
    }

    @Test
    void aReloadKeepsTheStateOfBackendsThatStayAndDropsTheRest() throws Exception {
        Backends backends = backends(THREE.formatted("roundrobin"));
        BackendState kept = backends.members().get(1);
        kept.connected();
        kept.failed(Health.DEFAULTS, "refused");
        BackendState removed = backends.members().get(2);
        removed.connected();
        backends.update(rule("""
                0.0.0.0 80 127.0.0.1 1001
                backend 127.0.0.1 1002 [weight=4]
                backend 127.0.0.1 1005
                """));
        assertThat(backends.members()).extracting(member -> member.endpoint().port()).containsExactly(1001, 1002, 1005);
        assertThat(backends.members().get(1)).isSameAs(kept);
        assertThat(kept.failures()).isEqualTo(1);
        assertThat(kept.active()).isEqualTo(1);
        assertThat(kept.backend().weight()).isEqualTo(4);
        removed.release(); // its connection ends after the reload, and counts nowhere else
        assertThat(backends.members()).doesNotContain(removed);
    }

    @Test
    void aRuleWithOneBackendIsTriedAlwaysWhateverItsHealth() throws Exception {
        Backends backends = backends("0.0.0.0 80 127.0.0.1 1001 [maxfails=1]\n");
        backends.members().get(0).failed(ONE_STRIKE, "refused");
        assertThat(backends.members().get(0).up()).isFalse();
        assertThat(ports(backends.order(client(1)))).containsExactly(1001);
    }

    private static List<Integer> ports(List<BackendState> order) {
        return order.stream().map(BackendState::endpoint).map(Endpoint::port).toList();
    }
}
