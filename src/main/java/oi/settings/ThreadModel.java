package oi.settings;

import java.util.Locale;

/** Which threads run the pumps: the A/B switch of the thread-model study ({@code --threads}). */
public enum ThreadModel {
    /** One virtual thread per pump: cheap to create and park, the design's default. */
    VIRTUAL,
    /** One platform (kernel) thread per pump, taken from a pool: the classic thread-per-connection baseline. */
    PLATFORM;

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
