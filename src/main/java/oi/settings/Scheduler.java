package oi.settings;

import java.util.Locale;

/** Who runs the virtual threads: the A/B switch of the scheduler study ({@code --scheduler}). */
public enum Scheduler {
    /** The JDK's own: a poller thread wakes a carrier thread, two wake-ups per hop. */
    JDK,
    /**
     * The poller thread that saw the socket ready runs the woken virtual thread itself, one
     * wake-up per hop, and hands bulk transfers to a small pool ({@code oi.threads.PollerScheduler}).
     */
    POLLER,
    /**
     * The one that accepts faster on this many cores: {@link #JDK} on a single core, where the
     * pollers and the carriers would share it, {@link #POLLER} on more; resolved once at startup.
     */
    AUTO;

    /** This scheduler as it will run on {@code cores} cores: {@link #AUTO} becomes jdk or poller, the others stay. */
    public Scheduler resolve(int cores) {
        return this != AUTO ? this : cores <= 1 ? JDK : POLLER;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
