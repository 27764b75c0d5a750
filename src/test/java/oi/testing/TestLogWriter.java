package oi.testing;

import java.util.Map;
import org.tinylog.core.LogEntry;
import org.tinylog.writers.AbstractFormatPatternWriter;

/**
 * A tinylog writer ({@code writer = test log}) that hands each line to {@link QuietLogs}
 * instead of stderr, so that a test's log is printed only when the test fails.
 *
 * <p>Any thread may write: sessions log from their own virtual threads.
 */
public final class TestLogWriter extends AbstractFormatPatternWriter {

    /** Called by tinylog's service loader with the {@code writer.*} properties. */
    public TestLogWriter(Map<String, String> properties) {
        super(properties);
    }

    @Override
    public void write(LogEntry logEntry) {
        QuietLogs.keep(render(logEntry));
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
