package oi.metrics;

import java.util.List;
import java.util.Locale;
import oi.balance.BackendState;
import oi.live.Listener;
import oi.live.SessionStatus;
import oi.report.Outcome;
import oi.report.RuleStats;
import oi.rules.Endpoint;
import oi.rules.ForwardRule;
import oi.server.Forwarder;
import oi.tcp.BufferPool;

/**
 * The forwarder's counters in the three shapes people read them: Prometheus text for
 * {@code /metrics}, JSON for {@code /status}, and a short per-rule summary for SIGUSR1.
 */
public final class Exposition {

    private Exposition() {
    }

    /** The Prometheus text exposition format, version 0.0.4. */
    public static String prometheus(Forwarder forwarder) {
        List<Listener> listeners = forwarder.listeners();
        StringBuilder out = new StringBuilder(4096);
        family(out, "oi_connections_active", "gauge", "Connections or UDP sessions running now.", listeners,
                (labels, stats) -> sample(out, "oi_connections_active", labels, stats.active()));
        family(out, "oi_connections_total", "counter", "Clients accepted since the rule started listening.", listeners,
                (labels, stats) -> sample(out, "oi_connections_total", labels, stats.total()));
        family(out, "oi_received_bytes_total", "counter", "Bytes received from clients.", listeners,
                (labels, stats) -> sample(out, "oi_received_bytes_total", labels, stats.bytesIn()));
        family(out, "oi_sent_bytes_total", "counter", "Bytes sent to clients.", listeners,
                (labels, stats) -> sample(out, "oi_sent_bytes_total", labels, stats.bytesOut()));
        family(out, "oi_refused_total", "counter", "Clients refused, by reason.", listeners, (labels, stats) -> {
            sample(out, "oi_refused_total", labels + ",reason=\"denied\"", stats.outcomes(Outcome.DENIED));
            sample(out, "oi_refused_total", labels + ",reason=\"not-allowed\"", stats.outcomes(Outcome.NOT_ALLOWED));
            sample(out, "oi_refused_total", labels + ",reason=\"maxconns\"", stats.outcomes(Outcome.REFUSED_MAXCONNS));
        });
        family(out, "oi_throttled_seconds_total", "counter", "Seconds pumps waited for rate= and rulerate=, summed over pumps.",
                listeners, (labels, stats) -> out.append("oi_throttled_seconds_total{").append(labels).append("} ")
                        .append(String.format(Locale.ROOT, "%.6f", stats.throttledSeconds())).append('\n'));
        backendFamily(out, "oi_backend_up", "gauge", "Whether the backend takes new clients (1) or is down (0).", listeners,
                (labels, backend) -> sample(out, "oi_backend_up", labels, backend.up() ? 1 : 0));
        backendFamily(out, "oi_backend_connections_active", "gauge", "Connections or UDP sessions the backend serves now.",
                listeners, (labels, backend) -> sample(out, "oi_backend_connections_active", labels, backend.active()));
        backendFamily(out, "oi_backend_connect_failures_total", "counter",
                "Connects to the backend that failed or timed out, each attempt of a failover counted.", listeners,
                (labels, backend) -> sample(out, "oi_backend_connect_failures_total", labels, backend.failures()));
        family(out, "oi_backend_connect_seconds", "histogram", "Time to connect to the backend.", listeners,
                (labels, stats) -> stats.appendConnectTime(out, "oi_backend_connect_seconds", labels));
        family(out, "oi_connection_duration_seconds", "histogram", "Lifetime of finished connections.", listeners,
                (labels, stats) -> stats.appendDuration(out, "oi_connection_duration_seconds", labels));
        BufferPool buffers = forwarder.buffers();
        gauge(out, "oi_buffer_memory_bytes", "gauge", "Bytes of pooled full-size buffers lent or kept now.", buffers.reserved());
        gauge(out, "oi_buffer_memory_budget_bytes", "gauge", "The --buffer-memory budget of the pooled buffers.",
                buffers.budget());
        gauge(out, "oi_buffer_loans_refused_total", "counter",
                "Full-size buffer loans refused because the budget or the JVM had no room (the pump went on small).",
                buffers.refused());
        return out.toString();
    }

    /** Rules with their counters and the live connections with their peers, age and bytes. */
    public static String statusJson(Forwarder forwarder) {
        StringBuilder out = new StringBuilder(1024).append("{\"rules\":[");
        String separator = "";
        for (Listener listener : forwarder.listeners()) {
            ForwardRule rule = listener.active().rule();
            RuleStats stats = listener.stats();
            out.append(separator).append("{\"bind\":").append(quote(boundName(listener)))
                    .append(",\"port\":").append(listener.localPort())
                    .append(",\"connect\":").append(quote(rule.connect().toString()))
                    .append(",\"balance\":").append(quote(rule.options().balance().word()))
                    .append(",\"backends\":[").append(backendsJson(listener.backends().members())).append(']')
                    .append(",\"active\":").append(stats.active())
                    .append(",\"total\":").append(stats.total())
                    .append(",\"bytesIn\":").append(stats.bytesIn())
                    .append(",\"bytesOut\":").append(stats.bytesOut()).append('}');
            separator = ",";
        }
        out.append("],\"connections\":[");
        separator = "";
        for (SessionStatus session : forwarder.live().statuses()) {
            out.append(separator).append("{\"id\":").append(session.id())
                    .append(",\"rule\":").append(quote(session.rule()))
                    .append(",\"client\":").append(quote(session.client()))
                    .append(",\"backend\":").append(quote(session.backend()))
                    .append(",\"ageSeconds\":").append(String.format(Locale.ROOT, "%.3f", session.age().toNanos() / 1e9))
                    .append(",\"bytesIn\":").append(session.bytesIn())
                    .append(",\"bytesOut\":").append(session.bytesOut()).append('}');
            separator = ",";
        }
        return out.append("]}\n").toString();
    }

    /** One line per rule, for the log on SIGUSR1. */
    public static String summary(Forwarder forwarder) {
        StringBuilder out = new StringBuilder();
        for (Listener listener : forwarder.listeners()) {
            RuleStats stats = listener.stats();
            out.append(String.format(Locale.ROOT, "%n  %s: active %d, total %d, in %d B, out %d B, denied %d, not-allowed %d, "
                            + "maxconns %d, connect failures %d", listener.active().rule(), stats.active(), stats.total(),
                    stats.bytesIn(), stats.bytesOut(), stats.outcomes(Outcome.DENIED), stats.outcomes(Outcome.NOT_ALLOWED),
                    stats.outcomes(Outcome.REFUSED_MAXCONNS), stats.outcomes(Outcome.LOCAL_CONNECT_FAILED)));
        }
        return "statistics:" + (out.isEmpty() ? " no rules" : out.toString());
    }

    private static void gauge(StringBuilder out, String name, String type, String help, long value) {
        header(out, name, type, help);
        out.append(name).append(' ').append(value).append('\n');
    }

    /** Each backend as {@code {"address", "state", "active", "failures", "weight", "backup"}}. */
    private static String backendsJson(List<BackendState> backends) {
        StringBuilder out = new StringBuilder();
        for (BackendState backend : backends) {
            out.append(out.isEmpty() ? "" : ",").append("{\"address\":").append(quote(backend.endpoint().toString()))
                    .append(",\"state\":").append(quote(backend.up() ? "up" : "down"))
                    .append(",\"active\":").append(backend.active())
                    .append(",\"failures\":").append(backend.failures())
                    .append(",\"weight\":").append(backend.backend().weight())
                    .append(",\"backup\":").append(backend.backend().backup()).append('}');
        }
        return out.toString();
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private interface Samples {
        void append(String labels, RuleStats stats);
    }

    private interface BackendSamples {
        void append(String labels, BackendState backend);
    }

    /** A family with one sample per backend of each rule, labelled by the rule and the backend. */
    private static void backendFamily(StringBuilder out, String name, String type, String help, List<Listener> listeners,
                                      BackendSamples samples) {
        header(out, name, type, help);
        for (Listener listener : listeners) {
            for (BackendState backend : listener.backends().members()) {
                samples.append("rule=" + quote(boundName(listener)) + ",backend=" + quote(backend.endpoint().toString()), backend);
            }
        }
    }

    private static void family(StringBuilder out, String name, String type, String help, List<Listener> listeners,
                               Samples samples) {
        header(out, name, type, help);
        for (Listener listener : listeners) {
            samples.append("rule=" + quote(boundName(listener)) + ",backend=" + quote(listener.active().rule().connect().toString()),
                    listener.stats());
        }
    }

    /** The bind side with the port actually bound, which tells apart rules that asked for port 0. */
    private static String boundName(Listener listener) {
        Endpoint bind = listener.active().rule().bind();
        return bind instanceof Endpoint.Inet inet ? inet.withPort(listener.localPort()).toString() : bind.toString();
    }

    private static void sample(StringBuilder out, String name, String labels, long value) {
        out.append(name).append('{').append(labels).append("} ").append(value).append('\n');
    }

    /** A JSON string literal; Prometheus label values use the same escapes. */
    static String quote(String text) {
        StringBuilder quoted = new StringBuilder(text.length() + 2).append('"');
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                default -> {
                    if (c < 0x20) {
                        quoted.append(String.format("\\u%04x", (int) c));
                    } else {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }
}
