package oi.cli;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Reads an enum-valued A/B flag such as {@code --threads} or {@code --io}, in lower case, with one clear error. */
final class FlagValue {

    private FlagValue() {
    }

    /** The constant whose name matches {@code text} in any case, or a message naming the flag and its values. */
    static <E extends Enum<E>> E parse(Class<E> type, String flag, String text) {
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
}
