package oi.server;

import org.tinylog.Logger;

/**
 * systemd's readiness protocol (sd_notify(3)) on JDK 21, which has no final Foreign Function
 * &amp; Memory API and so no way to send a datagram to a Unix socket: it says so in one log line
 * and sends nothing.
 *
 * <p>This file is compiled for JDK 21 and is the jar's {@code oi/server/SystemdNotify.class}. The
 * working version, {@code src/main/java22/oi/server/SystemdNotify.java}, is compiled for JDK 22
 * into the multi-release jar's {@code META-INF/versions/22/}, which a JDK 22 or later loads in
 * place of this one. Both must keep the same name and members.
 */
public final class SystemdNotify {
    /** Sends nothing: for a forwarder no service manager watches, such as the tests' and oi bench's. */
    public static final SystemdNotify OFF = new SystemdNotify();

    private SystemdNotify() {
    }

    /** What {@code NOTIFY_SOCKET} asks for; on JDK 21 always {@link #OFF}, said once when systemd set it. */
    public static SystemdNotify fromEnvironment() {
        if (System.getenv("NOTIFY_SOCKET") != null) {
            Logger.info("NOTIFY_SOCKET is set, but telling systemd needs JDK 22 or later (this is JDK {}): no readiness"
                    + " messages are sent", Runtime.version().feature());
        }
        return OFF;
    }

    /** Tells systemd that every listener is bound (again, after a reload), with a status line. */
    public void ready(String status) {
    }

    /** Tells systemd that a reload has begun. */
    public void reloading() {
    }

    /** Tells systemd that oi is stopping. */
    public void stopping() {
    }
}
