package oi.testing;

import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Keeps what oi logs while a test runs and prints it only if the test fails, so that
 * {@code make test} shows failures rather than hundreds of INFO lines. Registered for every
 * test through {@code META-INF/services} and {@code junit-platform.properties}.
 *
 * <p>Tests run one at a time in one fork, so the log since the previous test ended belongs to
 * the current one: its class set-up, its own lines, and anything its threads write late.
 */
public final class QuietLogs implements TestWatcher {
    private static final int KEPT_LINES = 5000; // the soak runs for minutes; its newest lines matter most
    private static final Deque<String> LINES = new ArrayDeque<>();
    private static long dropped;

    /** Adds one rendered log line (or a block of text) to the running test's log. */
    static void keep(String text) {
        synchronized (LINES) {
            LINES.addLast(text.endsWith("\n") ? text : text + "\n");
            if (LINES.size() > KEPT_LINES) {
                LINES.removeFirst();
                dropped++;
            }
        }
    }

    /** What oi has logged in this process since the running test began, for tests about logging itself. */
    public static java.util.List<String> lines() {
        synchronized (LINES) {
            return java.util.List.copyOf(LINES);
        }
    }

    /** Adds what a child process such as {@code bin/oi} wrote, to be shown with the log if the test fails. */
    public static void attach(String title, String output) {
        if (!output.isEmpty()) {
            keep("---- " + title + " ----\n" + output);
        }
    }

    private static String take() {
        synchronized (LINES) {
            StringBuilder text = new StringBuilder();
            if (dropped > 0) {
                text.append("(").append(dropped).append(" earlier lines dropped)\n");
            }
            LINES.forEach(text::append);
            LINES.clear();
            dropped = 0;
            return text.toString();
        }
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        String log = take();
        if (!log.isEmpty()) {
            PrintStream err = System.err;
            String test = context.getRequiredTestClass().getSimpleName() + " " + context.getDisplayName();
            err.print("---- log of " + test + " ----\n" + log + "---- end of the log of " + test + " ----\n");
            err.flush();
        }
    }

    @Override
    public void testSuccessful(ExtensionContext context) {
        take();
    }

    @Override
    public void testAborted(ExtensionContext context, Throwable cause) {
        take();
    }

    @Override
    public void testDisabled(ExtensionContext context, Optional<String> reason) {
        take();
    }
}
