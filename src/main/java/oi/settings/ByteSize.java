package oi.settings;

import java.util.Locale;

/** Parses buffer sizes such as {@code 8k}, {@code 64k}, {@code 1m} or {@code 16384}. */
public final class ByteSize {
    static final int MIN = 1024;
    static final int MAX = 16 * 1024 * 1024;

    private ByteSize() {
    }

    /**
     * The byte count of a {@code flag}'s size with an optional {@code k}, {@code m} or {@code g}
     * suffix (powers of 1024), within bounds.
     *
     * @throws IllegalArgumentException with a one-line reason when the text is no size in range
     */
    public static long parse(String flag, String text, long min, long max) {
        String lower = text.strip().toLowerCase(Locale.ROOT);
        long multiplier = 1;
        if (lower.endsWith("k") || lower.endsWith("m") || lower.endsWith("g")) {
            multiplier = lower.endsWith("k") ? 1024 : lower.endsWith("m") ? 1024 * 1024 : 1024L * 1024 * 1024;
            lower = lower.substring(0, lower.length() - 1);
        }
        if (!lower.matches("\\d{1,9}")) {
            throw new IllegalArgumentException(
                    flag + " \"" + text + "\" is not a size: use a byte count with an optional k or m suffix, e.g. 8k, 64k, 1m");
        }
        long bytes = Long.parseLong(lower) * multiplier;
        if (bytes < min || bytes > max) {
            throw new IllegalArgumentException(flag + " \"" + text + "\" is out of range: between " + format(min) + " and "
                    + format(max));
        }
        return bytes;
    }

    /** The size as {@link #parse} reads it back, in the largest unit that divides it: {@code 64k}, {@code 1m}, {@code 2g}, {@code 1500}. */
    public static String format(long bytes) {
        if (bytes % (1L << 30) == 0) {
            return (bytes >> 30) + "g";
        }
        if (bytes % (1L << 20) == 0) {
            return (bytes >> 20) + "m";
        }
        return bytes % 1024 == 0 ? bytes / 1024 + "k" : Long.toString(bytes);
    }
}
