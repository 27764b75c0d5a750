package oi.runtime;

import java.util.Locale;

/** Which threads run the pumps: the A/B switch of the thread-model study ({@code --threads}). */
public enum ThreadModel {
    /** One virtual thread per pump: cheap to create and park, the design's default. */
    VIRTUAL,
    /** One platform (kernel) thread per pump, taken from a pool: the classic thread-per-connection baseline. */
    PLATFORM;

    /** Parses the flag value ({@code virtual} or {@code platform}). */
    public static ThreadModel parse(String text) {
        return FlagValue.parse(ThreadModel.class, "--threads", text);
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
