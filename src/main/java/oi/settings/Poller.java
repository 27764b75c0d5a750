package oi.settings;

import java.util.Locale;

/** Who watches the sockets of splice pumps and backend connects: the A/B switch of the poller study ({@code --poller}). */
public enum Poller {
    /**
     * oi's own epoll, edge-triggered ({@code oi.threads.EdgePoller}): each socket registered once,
     * a connection's two sockets on one poller; the JDK's where this JVM cannot run it. Fewer
     * wake-ups per connection, but a bulk transfer's every arriving segment wakes the poller.
     */
    OI,
    /**
     * The JDK's pollers, one-shot, the default: every wait re-arms with an {@code epoll_ctl} and a
     * connect waits on the write poller, but a socket nobody waits on wakes nobody.
     */
    JDK;

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
