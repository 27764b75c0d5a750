package oi.balance;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import oi.report.Outcome;
import oi.rules.Endpoint;
import oi.rules.ForwardRule.Backend;
import oi.rules.ForwardRule;
import oi.rules.RuleOptions.Balance;
import oi.rules.RuleOptions.Health;
import org.tinylog.Logger;

/**
 * The backends of one rule and the choice among them: for each new client an order to try them
 * in, by the rule's {@code balance=} strategy and their health, and the trying itself
 * ({@link #open}), so that a failed connect moves on to the next backend before the client sees
 * an error. Kept by the rule's listener across reloads, like its counters.
 *
 * <p>The order: the backends that are up, the strategy's choice first; the backups after them
 * (or instead, while no other is up); then those that are down, so that a shared outage is tried
 * through (fail-open) rather than refused. A backend down by passive health is let back in by one
 * client after its {@code failtimeout}; with {@code check=} the probes decide instead.
 */
public final class Backends implements AutoCloseable {

    /** Opens a connection to one backend, the session's own way: a TCP connect, a datagram socket. */
    @FunctionalInterface
    public interface Opener<T> {
        /** The connection to {@code backend}, or the failure and its log word. */
        T open(Endpoint backend) throws ConnectFailure;
    }

    private final Duration probeTimeout;
    private final AtomicInteger ties = new AtomicInteger();
    private Map<String, HealthCheck> checks = Map.of(); // made on the first probe: most rules have none
    private volatile ForwardRule rule;
    private volatile List<BackendState> members;
    private boolean closed;

    /**
     * The backends of {@code rule}, with its probes started when it has {@code check=}.
     *
     * @param probeTimeout how long a probe waits for a connect ({@code --connect-timeout})
     */
    public Backends(ForwardRule rule, Duration probeTimeout) {
        this.probeTimeout = probeTimeout;
        this.members = List.of();
        update(rule);
    }

    /**
     * Takes a reloaded rule's backends: the ones whose address stays keep their state and
     * counters, new ones start up, and removed ones take no new clients (their connections go on).
     */
    public synchronized void update(ForwardRule reloaded) {
        Map<String, BackendState> old = new HashMap<>();
        members.forEach(member -> old.put(member.endpoint().toString(), member));
        List<BackendState> next = new ArrayList<>();
        for (Backend backend : reloaded.backends()) {
            BackendState kept = old.remove(backend.endpoint().toString());
            if (kept != null) {
                kept.update(backend);
                next.add(kept);
            } else {
                next.add(new BackendState(reloaded.bind().toString(), backend));
            }
        }
        rule = reloaded;
        members = List.copyOf(next);
        old.keySet().forEach(this::stopCheck);
        for (BackendState member : members) {
            String key = member.endpoint().toString();
            if (closed || reloaded.options().health().checkSeconds() == 0) {
                stopCheck(key);
            } else {
                if (checks.isEmpty()) {
                    checks = new HashMap<>();
                }
                checks.computeIfAbsent(key, unused -> HealthCheck.start(member, () -> rule, probeTimeout));
            }
        }
    }

    /** The backends in rule order, for {@code /status} and {@code /metrics}. */
    public List<BackendState> members() {
        return members;
    }

    /**
     * Tries the backends in this client's order until one opens, while {@code wanted} holds (a
     * stopped or timed-out connection stops trying); each failure counts against its backend.
     *
     * @param client the client's address, for {@code iphash}; null for a Unix-socket client
     */
    public <T> Attempt<T> open(long id, InetAddress client, Opener<T> opener, BooleanSupplier wanted) {
        List<BackendState> order = order(client);
        Health health = health();
        Attempt<T> failed = null;
        boolean debug = order.size() > 1 && Logger.isDebugEnabled(); // no boxing per connection when debug is off
        for (int i = 0; i < order.size() && wanted.getAsBoolean(); i++) {
            BackendState backend = order.get(i);
            if (debug) {
                Logger.debug("#{} trying backend {} ({} of {})", id, backend.backend(), i + 1, order.size());
            }
            try {
                T channel = opener.open(backend.endpoint());
                backend.connected();
                return new Attempt.Opened<>(channel, backend);
            } catch (ConnectFailure e) {
                Logger.info("#{} backend {} failed: {}", id, backend.endpoint(), e.getMessage());
                if (wanted.getAsBoolean()) { // not when stop or the connect timeout of the whole connection cut it short
                    backend.failed(health, e.getMessage());
                }
                failed = new Attempt.Failed<>(e.outcome(), backend.endpoint());
            }
        }
        return failed != null ? failed : new Attempt.Failed<>(Outcome.LOCAL_CONNECT_FAILED, order.get(0).endpoint()); // stopped first
    }

    /** The order in which a new client tries the backends; see the class comment. */
    List<BackendState> order(InetAddress client) {
        List<BackendState> all = members;
        if (all.size() == 1) {
            return all; // rinetd's one backend: nothing to choose
        }
        if (allPrimariesUp(all)) {
            return ranked(all, client); // the common case: one ordering, no lists to sort into
        }
        boolean passive = health().checkSeconds() == 0;
        long now = System.nanoTime();
        BackendState trial = null;
        List<BackendState> primaries = new ArrayList<>(all.size());
        List<BackendState> backups = new ArrayList<>(2);
        List<BackendState> down = new ArrayList<>(2);
        for (BackendState member : all) {
            if (member.up()) {
                (member.backend().backup() ? backups : primaries).add(member);
            } else if (passive && trial == null && member.claimTrial(now)) {
                trial = member;
            } else {
                down.add(member);
            }
        }
        List<BackendState> order = new ArrayList<>(all.size());
        if (trial != null) {
            order.add(trial);
        }
        if (primaries.isEmpty()) {
            order.addAll(ranked(backups, client));
        } else {
            order.addAll(ranked(primaries, client));
            order.addAll(backups);
        }
        down.sort(Comparator.comparing(member -> member.backend().backup())); // primaries first, each in rule order
        order.addAll(down);
        return order;
    }

    private static boolean allPrimariesUp(List<BackendState> all) {
        for (BackendState member : all) {
            if (!member.up() || member.backend().backup()) {
                return false;
            }
        }
        return true;
    }

    /** The backends of one tier, the strategy's choice first and the rest in the order to fall back on. */
    private List<BackendState> ranked(List<BackendState> tier, InetAddress client) {
        if (tier.size() < 2) {
            return tier;
        }
        Balance balance = client == null && rule.options().balance() == Balance.IPHASH ? Balance.ROUNDROBIN : rule.options().balance();
        return switch (balance) {
            case ROUNDROBIN -> startingAt(tier, tier.indexOf(nextInTurn(tier)));
            case LEASTCONN -> {
                List<BackendState> ranked = startingAt(tier, Math.floorMod(ties.getAndIncrement(), tier.size())); // ties rotate
                ranked.sort(BackendState::compareLoad);
                yield ranked;
            }
            case RANDOM -> {
                // Two draws by weight, with replacement: a heavy backend may be drawn twice, which is
                // what keeps its share at its weight when the loads tie, as they do when all are idle.
                int first = drawByWeight(tier);
                int second = drawByWeight(tier);
                int pick = BackendState.compareLoad(tier.get(second), tier.get(first)) < 0 ? second : first;
                yield startingAt(tier, pick);
            }
            case IPHASH -> Rendezvous.rank(tier, client);
        };
    }

    /** nginx's smooth weighted round robin: each backend gains its weight, the richest is chosen and pays the sum. */
    private synchronized BackendState nextInTurn(List<BackendState> tier) {
        BackendState best = null;
        int total = 0;
        for (BackendState member : tier) {
            int weight = member.backend().weight();
            member.currentWeight += weight;
            total += weight;
            if (best == null || member.currentWeight > best.currentWeight) {
                best = member;
            }
        }
        best.currentWeight -= total;
        return best;
    }

    private static int drawByWeight(List<BackendState> tier) {
        int total = tier.stream().mapToInt(member -> member.backend().weight()).sum();
        int ticket = ThreadLocalRandom.current().nextInt(total);
        for (int i = 0; i < tier.size(); i++) {
            ticket -= tier.get(i).backend().weight();
            if (ticket < 0) {
                return i;
            }
        }
        return tier.size() - 1;
    }

    /** The tier from {@code start} on, wrapping round: the backends to fall back on, in turn. */
    private static List<BackendState> startingAt(List<BackendState> tier, int start) {
        List<BackendState> ranked = new ArrayList<>(tier.size());
        for (int i = 0; i < tier.size(); i++) {
            ranked.add(tier.get((start + i) % tier.size()));
        }
        return ranked;
    }

    private Health health() {
        return rule.options().health();
    }

    private void stopCheck(String key) {
        HealthCheck check = checks.isEmpty() ? null : checks.remove(key);
        if (check != null) {
            check.stop();
        }
    }

    /** Stops the probes; connections still running go on. */
    @Override
    public synchronized void close() {
        closed = true;
        List.copyOf(checks.keySet()).forEach(this::stopCheck);
    }
}
