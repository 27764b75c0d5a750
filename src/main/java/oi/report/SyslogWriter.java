package oi.report;

import java.io.IOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Sends each connection-log line as one RFC 3164 syslog message over UDP (facility daemon,
 * severity info), so {@code logfile syslog:} lands in the host's log with the same fields.
 * The JDK cannot open {@code /dev/log} (a Unix datagram socket), hence UDP to a local syslogd.
 */
final class SyslogWriter extends Writer {
    private static final int DAEMON_INFO = 3 * 8 + 6;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ENGLISH);

    private final DatagramChannel channel;
    private final String header;
    private final StringBuilder line = new StringBuilder();

    private SyslogWriter(DatagramChannel channel) {
        this.channel = channel;
        this.header = " oi[" + ProcessHandle.current().pid() + "]: ";
    }

    /** Opens a writer towards a syslog daemon's UDP port. */
    static SyslogWriter open(InetSocketAddress syslogd) throws IOException {
        DatagramChannel channel = DatagramChannel.open();
        channel.connect(syslogd);
        return new SyslogWriter(channel);
    }

    @Override
    public void write(char[] chars, int offset, int length) {
        line.append(chars, offset, length);
    }

    /** Sends what was written since the last flush, one message per line. */
    @Override
    public void flush() throws IOException {
        String stamp = STAMP.format(ZonedDateTime.now());
        for (String text : line.toString().split("\\R")) {
            if (!text.isEmpty()) {
                String message = "<" + DAEMON_INFO + ">" + stamp + header + text;
                channel.write(ByteBuffer.wrap(message.getBytes(StandardCharsets.UTF_8)));
            }
        }
        line.setLength(0);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
