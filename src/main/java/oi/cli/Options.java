package oi.cli;

import com.beust.jcommander.Parameter;

/** The command line, rinetd's flags first; values are checked by {@link Main}, not here. */
final class Options {

    @Parameter(names = {"-c", "--conf-file"}, description = "Rules file in rinetd's format")
    String confFile = "/etc/rinetd.conf";

    @Parameter(names = {"-f", "--foreground"}, description = "Accepted for rinetd compatibility; oi always runs in the foreground")
    boolean foreground;

    @Parameter(names = {"--buffer"}, description = "Pump buffer per direction: 8k, 16k, 64k, or bytes with an optional k/m suffix (1k to 16m)")
    String buffer = "64k";

    @Parameter(names = {"--buffer-memory"}, description = "Memory all pooled full-size buffers may take together, e.g. 256m or 2g; past it pumps go on with 1 KiB buffers (default: half the JVM's direct-memory limit)")
    String bufferMemory;

    @Parameter(names = {"--threads"}, description = "Thread model of the pumps: virtual or platform")
    String threads = "virtual";

    @Parameter(names = {"--io"}, description = "How the pumps read and write: channel (SocketChannel, direct buffers), stream (java.io streams, heap buffers) or splice (splice(2) through a pipe, JDK 22+)")
    String io = "channel";

    @Parameter(names = {"--connect-timeout"}, description = "Seconds a backend connect may take")
    String connectTimeout = "10";

    @Parameter(names = {"--max-conns"}, description = "Live TCP connections allowed in the whole process; past it new clients are closed at once (per rule: [maxconns=N])")
    String maxConns = "4096";

    @Parameter(names = {"--idle-timeout"}, description = "Close a TCP connection that moved no bytes for this many seconds; 0 = never (per rule: [idle=N])")
    String idleTimeout = "0";

    @Parameter(names = {"--no-keepalive"}, description = "Do not set TCP keepalive on the client and backend sockets")
    boolean noKeepAlive;

    @Parameter(names = {"--drain"}, description = "On SIGTERM, stop accepting and let live connections finish for up to this many seconds; 0 = exit at once")
    String drain = "0";

    @Parameter(names = {"--udp-sessions"}, description = "Client sessions each UDP rule keeps; past it the least recently active one is closed")
    String udpSessions = "10000";

    @Parameter(names = {"--dns-ttl"}, description = "Seconds a looked-up backend host name is trusted before new connections look it up again")
    String dnsTtl = "30";

    @Parameter(names = {"--syslog"}, description = "Send the connection log to syslog (UDP 127.0.0.1:514) instead of the rules file's logfile")
    boolean syslog;

    @Parameter(names = {"--metrics"}, description = "Serve /metrics (Prometheus) and /status (JSON) on HOST:PORT, e.g. 127.0.0.1:9100")
    String metrics;

    @Parameter(names = {"-h", "--help"}, description = "Print this help and exit", help = true)
    boolean help;

    @Parameter(names = {"-v", "--version"}, description = "Print the version and exit")
    boolean version;
}
