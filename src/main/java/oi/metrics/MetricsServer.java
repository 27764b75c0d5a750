package oi.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import oi.server.Forwarder;

/**
 * {@code --metrics HOST:PORT}: {@code /metrics} for Prometheus and {@code /status} as JSON, served
 * by the JDK's built-in HTTP server on virtual threads, so oi needs no web framework.
 */
public final class MetricsServer implements AutoCloseable {
    private final HttpServer server;

    private MetricsServer(HttpServer server) {
        this.server = server;
    }

    /**
     * Binds the address and starts serving.
     *
     * @throws IOException when the address cannot be bound
     */
    public static MetricsServer start(InetSocketAddress address, Forwarder forwarder) throws IOException {
        HttpServer server = HttpServer.create(address, 16);
        server.createContext("/metrics", exchange -> reply(exchange, "text/plain; version=0.0.4; charset=utf-8",
                () -> Exposition.prometheus(forwarder)));
        server.createContext("/status", exchange -> reply(exchange, "application/json",
                () -> Exposition.statusJson(forwarder)));
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        return new MetricsServer(server);
    }

    /** The port actually bound, for a {@code HOST:0} address. */
    public int port() {
        return server.getAddress().getPort();
    }

    private static void reply(HttpExchange exchange, String type, Supplier<String> body) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", type);
            exchange.sendResponseHeaders(200, exchange.getRequestMethod().equals("HEAD") ? -1 : bytes.length);
            if (exchange.getRequestMethod().equals("GET")) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
