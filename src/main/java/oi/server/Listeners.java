package oi.server;

import java.io.IOException;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import oi.config.ConfigError;
import oi.live.Listener;
import oi.live.Shared;
import oi.rules.ActiveRule;
import oi.rules.Config;
import oi.rules.Endpoint.Protocol;
import oi.rules.ForwardRule;
import oi.rules.ProxyProtocol;
import oi.settings.IoMode;
import oi.settings.Settings;
import oi.tcp.BufferPool;
import oi.tcp.RangeAcceptor;
import oi.tcp.TcpListener;
import oi.udp.UdpListener;
import org.tinylog.Logger;

/**
 * How the forwarder opens a config's listeners: binds each rule (the TCP ports of a port range
 * on one accept thread), all or none, and starts them with one log line per rule line.
 */
final class Listeners {
    private final Settings settings;
    private final Shared shared;
    private final BufferPool buffers;

    /** An opener of listeners that share the forwarder's settings, report and buffers. */
    Listeners(Settings settings, Shared shared, BufferPool buffers) {
        this.settings = settings;
        this.shared = shared;
        this.buffers = buffers;
    }

    /** Binds every rule of {@code next} that {@code existing} does not already listen for. */
    Map<String, Listener> bindAll(Config next, Map<String, Listener> existing) throws StartupException {
        Map<String, Listener> bound = new LinkedHashMap<>();
        Map<String, String> failures = new LinkedHashMap<>(); // the first failure of each rule line
        Map<String, Integer> failedPorts = new HashMap<>();
        Map<String, Integer> newPorts = new HashMap<>();
        next.rules().stream().filter(rule -> !existing.containsKey(rule.listenKey()))
                .forEach(rule -> newPorts.merge(rule.location(), 1, Integer::sum));
        Map<String, RangeAcceptor> acceptors = new HashMap<>(); // the new TCP ports of one range line share one
        for (ForwardRule rule : next.rules()) {
            String key = rule.listenKey();
            if (existing.containsKey(key)) {
                continue;
            }
            RangeAcceptor acceptor = newPorts.get(rule.location()) > 1 && rule.bind().protocol() == Protocol.TCP
                    ? acceptors.computeIfAbsent(rule.location(), RangeAcceptor::new) : null;
            try {
                bound.put(key, bind(new ActiveRule(rule, next.globalAccess()), acceptor));
            } catch (IOException e) {
                failures.putIfAbsent(rule.location(), rule.location() + ": cannot bind " + rule.bind() + ": " + ConfigError.reasonOf(e));
                failedPorts.merge(rule.location(), 1, Integer::sum);
            }
        }
        if (!failures.isEmpty()) {
            bound.values().forEach(Listener::close);
            throw new StartupException(String.join("\n", failures.entrySet().stream().map(failure -> failure.getValue()
                    + (failedPorts.get(failure.getKey()) > 1 ? " (and " + (failedPorts.get(failure.getKey()) - 1)
                            + " more ports of its range)" : "")).toList()));
        }
        return bound;
    }

    private Listener bind(ActiveRule active, RangeAcceptor acceptor) throws IOException {
        return active.rule().bind().protocol() == Protocol.UDP ? UdpListener.bind(active, shared)
                                                               : TcpListener.bind(active, shared, buffers, acceptor);
    }

    /** One warning for the rules that take any peer's PROXY header: any client of theirs can claim any address. */
    static void warnOfBelievedHeaders(Config config) {
        List<String> believing = config.rules().stream()
                .filter(rule -> rule.options().accept().version() != ProxyProtocol.NONE && rule.options().accept().from() == null)
                .map(ForwardRule::location).distinct().toList();
        if (!believing.isEmpty()) {
            Logger.warn("acceptproxy= without proxyfrom= believes every peer's PROXY header, so any client may claim any address: {}",
                    String.join(", ", believing));
        }
    }

    /** Starts each listener, with one line per rule line: a port range's listeners say so together. */
    void start(Collection<Listener> started) {
        Listener first = null;
        int ports = 0;
        for (Listener listener : started) {
            listener.start();
            if (first != null && !first.active().rule().location().equals(listener.active().rule().location())) {
                logListening(first, ports);
                ports = 0;
            }
            first = ports == 0 ? listener : first;
            ports++;
        }
        if (first != null) {
            logListening(first, ports);
        }
    }

    private void logListening(Listener listener, int ports) {
        ForwardRule rule = listener.active().rule();
        Logger.info("listening on {}{}{} -> {}, buffer {} bytes, {}, io {}{}", listener.localAddress(),
                ports > 1 ? " and the next " + (ports - 1) + " ports" : "", rule.bind().protocol() == Protocol.UDP ? "/udp" : "",
                rule.backends().size() == 1 ? rule.connect() : rule.backends() + " by " + rule.options().balance().word(),
                settings.bufferSize(), shared.threads().describe(), buffers.io(), (settings.io() == IoMode.AUTO ? " (auto)" : "")
                        + (buffers.io() == IoMode.SPLICE ? ", poller " + (buffers.poller() != null ? "oi" : "jdk") : ""));
    }
}
