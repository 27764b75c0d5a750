package oi.rules;

import java.net.InetSocketAddress;
import java.nio.file.Path;

/** Where the connection log goes: the rules file's {@code logfile PATH}, or syslog over UDP. */
public sealed interface LogTarget {
    /** The {@code logfile} prefix that means syslog: {@code logfile syslog:} or {@code logfile syslog:HOST:PORT}. */
    String SYSLOG_PREFIX = "syslog:";

    /** A file, appended to and reopened on SIGHUP. */
    record File(Path path) implements LogTarget {
        @Override
        public String toString() {
            return path.toString();
        }
    }

    /** A syslog daemon reached over UDP, one RFC 3164 message per line. */
    record Syslog(InetSocketAddress address) implements LogTarget {
        /** The local syslogd of {@code logfile syslog:} and {@code --syslog}: UDP 127.0.0.1:514. */
        public static final Syslog LOCAL = new Syslog(new InetSocketAddress("127.0.0.1", 514));

        @Override
        public String toString() {
            return SYSLOG_PREFIX + new HostAndPort(address.getHostString(), address.getPort());
        }
    }
}
