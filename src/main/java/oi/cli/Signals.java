package oi.cli;

import java.util.concurrent.atomic.AtomicInteger;
import oi.metrics.Exposition;
import oi.server.Forwarder;
import org.tinylog.Logger;
import sun.misc.Signal;

/**
 * rinetd's signals: SIGHUP reloads the rules and reopens the connection log, SIGTERM and SIGINT
 * stop the forwarder (after the drain, if any; a second one ends it at once) so that
 * {@code main} returns and the process exits 0.
 */
final class Signals {

    private Signals() {
    }

    /** Routes the signals to the forwarder; each handler hands off to its own thread at once. */
    static void install(Forwarder forwarder) {
        handle("HUP", () -> {
            Logger.info("SIGHUP: reloading");
            forwarder.reopenLog();
            forwarder.reload();
        });
        handle("USR1", () -> Logger.info(Exposition.summary(forwarder)));
        AtomicInteger stops = new AtomicInteger();
        Runnable stop = () -> {
            if (stops.getAndIncrement() == 0) {
                forwarder.stop();
            } else {
                forwarder.hurry(); // a second SIGTERM cuts the drain short
            }
        };
        handle("TERM", stop);
        handle("INT", stop);
    }

    private static void handle(String name, Runnable action) {
        try {
            // The JDK's signal thread must not block on a reload or a stop.
            Signal.handle(new Signal(name), signal -> Thread.ofPlatform().name("oi-signal " + name).start(() -> {
                try {
                    action.run();
                } catch (RuntimeException | Error e) { // one line, not a trace on stderr; the forwarder serves on
                    Logger.error("SIG{} failed: {}", name, e.toString());
                    Logger.debug(e, "SIG{}", name);
                }
            }));
        } catch (IllegalArgumentException e) {
            Logger.warn("cannot handle SIG{}: {}", name, e.getMessage());
        }
    }
}
