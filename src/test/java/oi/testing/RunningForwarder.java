package oi.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import oi.config.ConfigParser;
import oi.live.Listener;
import oi.rules.Config;
import oi.server.Forwarder;
import oi.settings.Settings;

/**
 * An in-process forwarder started from rules-file text, the way {@code bin/oi} starts one;
 * bind ports of 0 let the kernel choose, and {@link #port} tells which it chose.
 */
public final class RunningForwarder implements AutoCloseable {
    private final Forwarder forwarder;
    private final Path rulesFile;

    private RunningForwarder(Forwarder forwarder, Path rulesFile) {
        this.forwarder = forwarder;
        this.rulesFile = rulesFile;
    }

    /** Writes the rules to a file in {@code dir}, parses it and starts serving. */
    public static RunningForwarder start(Path dir, String rules, Settings settings) throws Exception {
        return startFile(dir.resolve("rules-" + System.nanoTime() + ".conf"), rules, settings);
    }

    /** Writes the rules to {@code file} (whose name may end in .toml), parses it and starts serving. */
    public static RunningForwarder startFile(Path file, String rules, Settings settings) throws Exception {
        Files.writeString(file, rules);
        ConfigParser parser = new ConfigParser();
        Config config = parser.parse(file);
        Forwarder forwarder = new Forwarder(settings, parser);
        forwarder.start(config);
        return new RunningForwarder(forwarder, file);
    }

    /** The bound port of the n-th rule (0-based, in file order). */
    public int port(int rule) {
        return listener(rule).localPort();
    }

    /** The listener of the n-th rule. */
    public Listener listener(int rule) {
        return forwarder.listeners().get(rule);
    }

    /** Opens a client connection to the n-th rule. */
    public Socket connect(int rule) {
        try {
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port(rule)), 5000);
            socket.setSoTimeout(30_000); // a hung test fails instead of hanging the build
            return socket;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The forwarder itself, for reload and stop. */
    public Forwarder forwarder() {
        return forwarder;
    }

    /** The rules file it was started from, to rewrite before a reload. */
    public Path rulesFile() {
        return rulesFile;
    }

    @Override
    public void close() {
        forwarder.stop();
    }
}
