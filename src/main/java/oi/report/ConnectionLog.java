package oi.report;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.locks.ReentrantLock;
import oi.rules.Endpoint;
import oi.rules.LogTarget;
import org.tinylog.Logger;

/**
 * The per-connection log of the rules file's {@code logfile}, in rinetd's tab-separated layout
 * or, with {@code logcommon}, in the Apache common-log layout.
 *
 * <p>Any thread may call {@link #record}; each line is flushed as it is written so none is lost
 * when the process ends. {@link #reopen} follows a rotated file (SIGHUP, as logrotate expects).
 */
public final class ConnectionLog implements AutoCloseable {
    // rinetd's strftime pattern, trailing space included, so existing parsers keep working.
    private static final DateTimeFormatter TAB_DATE = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss ", Locale.ENGLISH);
    private static final DateTimeFormatter COMMON_DATE = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH);

    private final ReentrantLock lock = new ReentrantLock(); // not synchronized: callers are virtual threads
    private LogTarget target;
    private boolean common;
    private Writer writer;
    private volatile boolean enabled;
    private final FailureBurst writeFailures = new FailureBurst("writing the connection log", "lines are lost meanwhile");

    /** Starts with no target: records are dropped until {@link #configure} names one. */
    public ConnectionLog() {
    }

    /**
     * Points the log at a file, at syslog, or at nothing when {@code target} is null.
     *
     * @throws IOException when the target cannot be opened; the previous one stays in use
     */
    public void configure(LogTarget target, boolean common) throws IOException {
        lock.lock();
        try {
            Writer opened = target == null ? null : open(target);
            closeWriter();
            this.target = target;
            this.common = common;
            this.writer = opened;
            this.enabled = opened != null;
        } finally {
            lock.unlock();
        }
    }

    /** Closes and reopens the same target, so a file moved away by logrotate is followed. */
    public void reopen() {
        lock.lock();
        try {
            if (target != null) {
                closeWriter();
                writer = open(target);
            }
        } catch (IOException e) {
            Logger.error("cannot reopen connection log {}: {}", target, e.getMessage());
        } finally {
            lock.unlock();
        }
    }

    /** Whether records are written anywhere, so callers can skip building one for nothing. */
    public boolean enabled() {
        return enabled;
    }

    /** Writes one line for a finished connection. */
    public void record(ConnectionRecord record) {
        lock.lock();
        try {
            if (writer == null) {
                return;
            }
            writer.write(common ? commonLine(record) : tabLine(record));
            writer.flush();
            writeFailures.succeeded();
        } catch (IOException e) { // e.g. a full disk: once per burst, not once per connection
            writeFailures.failed(target + ": " + e.getMessage());
        } finally {
            lock.unlock();
        }
    }

    /** rinetd's tab layout, plus the duration in seconds as one more field. */
    static String tabLine(ConnectionRecord r) {
        Endpoint bind = r.rule().bind();
        Endpoint connect = r.backend();
        return String.format(Locale.ROOT, "%s\t%s\t%s\t%d\t%s\t%d\t%d\t%d\t%s\t%.3f%n",
                TAB_DATE.format(r.end()), r.client(),
                bind.host(), bind.port(), connect.host(), connect.port(),
                r.bytesIn(), r.bytesOut(), r.outcome().word(), r.duration().toNanos() / 1e9);
    }

    /** rinetd's fake Apache request line, so web log analysers can read the traffic. */
    static String commonLine(ConnectionRecord r) {
        Endpoint bind = r.rule().bind();
        Endpoint connect = r.backend();
        return String.format(Locale.ROOT, "%s - - [%s] \"GET /rinetd-services/%s/%d/%s/%d/%s HTTP/1.0\" 200 %d - - - %d%n",
                r.client(), COMMON_DATE.format(r.end()),
                bind.host(), bind.port(), connect.host(), connect.port(), r.outcome().word(),
                r.bytesOut(), r.bytesIn());
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closeWriter();
            target = null;
            enabled = false;
        } finally {
            lock.unlock();
        }
    }

    private static Writer open(LogTarget target) throws IOException {
        return switch (target) {
            case LogTarget.File file -> Files.newBufferedWriter(file.path(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
            case LogTarget.Syslog syslog -> SyslogWriter.open(syslog.address());
        };
    }

    private void closeWriter() {
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException e) {
                Logger.warn("closing connection log {}: {}", target, e.getMessage());
            }
            writer = null;
        }
    }
}
