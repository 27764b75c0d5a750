package oi.settings;

import java.util.Locale;

/** Who runs the virtual threads: the A/B switch of the scheduler study ({@code --scheduler}). */
public enum Scheduler {
    /** The JDK's own: a poller thread wakes a carrier thread, two wake-ups per hop. */
    JDK,
    /**
     * The poller thread that saw the socket ready runs the woken virtual thread itself, one
     * wake-up per hop, and hands bulk transfers to a small pool ({@link PollerScheduler}).
     */
    POLLER;

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
