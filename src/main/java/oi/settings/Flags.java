package oi.settings;

import com.beust.jcommander.IStringConverter;
import com.beust.jcommander.Parameter;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * How the flag values of oi's command line read: whole numbers within bounds, seconds, sizes and
 * enum words, each with one message that names the flag and what it takes. A flag declares its
 * reading as a JCommander {@code converter}, so the check lives with the flag.
 */
public final class Flags {
    /** The most {@code --buffer-memory} may say. */
    static final long MAX_MEMORY = 1L << 40;

    private Flags() {
    }

    /**
     * A whole-number flag value within bounds; {@code what} names the unit, e.g. "a number of seconds".
     *
     * @throws IllegalArgumentException naming the flag, the text and the bounds
     */
    public static int number(String flag, String text, int min, int max, String what) {
        if (!text.matches("\\d{1,9}") || Integer.parseInt(text) < min || Integer.parseInt(text) > max) {
            throw new IllegalArgumentException(flag + " \"" + text + "\" is not " + what + " between " + min + " and " + max);
        }
        return Integer.parseInt(text);
    }

    /** The constant whose name matches {@code text} in any case, or a message naming the flag and its values. */
    public static <E extends Enum<E>> E word(Class<E> type, String flag, String text) {
        for (E value : type.getEnumConstants()) {
            if (value.name().equalsIgnoreCase(text)) {
                return value;
            }
        }
        List<String> names = Arrays.stream(type.getEnumConstants()).map(value -> value.name().toLowerCase(Locale.ROOT))
                .toList();
        String choices = String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.getLast();
        throw new IllegalArgumentException(flag + " must be " + choices + ", got \"" + text + "\"");
    }

    /**
     * JCommander's converter factory for enum-typed flags, which it would otherwise read with a
     * message that neither names the flag nor lists its words; any enum flag gets it.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static IStringConverter<?> enumWords(Parameter parameter, Class<?> type, String flag) {
        return type.isEnum() ? text -> word((Class) type, flag, text) : null;
    }

    /** One way of reading a flag's text, made for the flag it reads so that its message can name it. */
    private abstract static class Reading<T> implements IStringConverter<T> {
        private final Function<String, T> read;

        Reading(Function<String, T> read) {
            this.read = read;
        }

        @Override
        public T convert(String text) {
            return read.apply(text);
        }
    }

    /** Seconds, 0 (for none or never) up to 999 999. */
    public static final class Seconds extends Reading<Duration> {
        public Seconds(String flag) {
            super(text -> Duration.ofSeconds(number(flag, text, 0, 999_999, "a number of seconds")));
        }
    }

    /** Seconds, at least 1. */
    public static final class PositiveSeconds extends Reading<Duration> {
        public PositiveSeconds(String flag) {
            super(text -> Duration.ofSeconds(number(flag, text, 1, 999_999, "a number of seconds")));
        }
    }

    /** A count of connections, 1 to ten million. */
    public static final class Connections extends Reading<Integer> {
        public Connections(String flag) {
            super(text -> number(flag, text, 1, 10_000_000, "a number of connections"));
        }
    }

    /** A count of sessions, 1 to ten million. */
    public static final class Sessions extends Reading<Integer> {
        public Sessions(String flag) {
            super(text -> number(flag, text, 1, 10_000_000, "a number of sessions"));
        }
    }

    /** A pump buffer size, 1k to 16m ({@link ByteSize}). */
    public static final class BufferSize extends Reading<Integer> {
        public BufferSize(String flag) {
            super(text -> (int) ByteSize.parse(flag, text, ByteSize.MIN, ByteSize.MAX));
        }
    }

    /** A memory budget up to 1 TiB, or 0 for the default; checked against {@code --buffer} in {@link SettingsFlags#settings}. */
    public static final class Memory extends Reading<Long> {
        public Memory(String flag) {
            super(text -> "0".equals(text) ? 0L : ByteSize.parse(flag, text, ByteSize.MIN, MAX_MEMORY));
        }
    }
}
