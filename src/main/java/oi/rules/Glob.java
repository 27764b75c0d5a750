package oi.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * Shell-style wildcard matching, shared by rinetd's allow/deny patterns and {@code include}
 * globs: {@code ?} is one character, {@code *} any run, {@code [abc]}, {@code [a-z]} and
 * {@code [!a-z]} one character of a set, everything else itself.
 *
 * <p>It never backtracks further than the last {@code *}, so a match takes at most pattern length
 * times subject length steps, whatever the pattern: no regular expression, no recursion, nothing
 * that a hostile pattern can make exponential or overflow.
 */
public final class Glob {
    /** One pattern element that matches exactly one character, or a star. */
    private sealed interface Token {
    }

    private record Star() implements Token {
    }

    private record One(char low, char high, boolean any, boolean negated, List<One> set) implements Token {
        boolean matches(char c) {
            if (any) {
                return true;
            }
            if (set != null) {
                return set.stream().anyMatch(range -> range.matches(c)) != negated;
            }
            return c >= low && c <= high;
        }
    }

    private final List<Token> tokens;

    private Glob(List<Token> tokens) {
        this.tokens = tokens;
    }

    /**
     * Compiles a pattern.
     *
     * @throws IllegalArgumentException when a {@code [} has no closing {@code ]}
     */
    public static Glob of(String pattern) {
        List<Token> tokens = new ArrayList<>();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            switch (c) {
                case '*' -> tokens.add(new Star());
                case '?' -> tokens.add(new One('\0', '\0', true, false, null));
                case '[' -> {
                    int close = pattern.indexOf(']', i + 2); // a ']' right after '[' (or "[!") is a member
                    if (close < 0) {
                        throw new IllegalArgumentException("unclosed [ in " + pattern);
                    }
                    boolean negated = pattern.charAt(i + 1) == '!';
                    List<One> set = new ArrayList<>();
                    for (int j = negated ? i + 2 : i + 1; j < close; j++) {
                        boolean range = j + 2 < close && pattern.charAt(j + 1) == '-';
                        set.add(new One(pattern.charAt(j), pattern.charAt(range ? j + 2 : j), false, false, null));
                        j += range ? 2 : 0;
                    }
                    tokens.add(new One('\0', '\0', false, negated, List.copyOf(set)));
                    i = close;
                }
                default -> tokens.add(new One(c, c, false, false, null));
            }
        }
        return new Glob(List.copyOf(tokens));
    }

    /** Whether a pattern has any wildcard, so that it names more than itself. */
    public static boolean hasWildcard(String pattern) {
        return pattern.indexOf('*') >= 0 || pattern.indexOf('?') >= 0 || pattern.indexOf('[') >= 0;
    }

    /** Whether the whole subject matches. */
    public boolean matches(String subject) {
        int p = 0;
        int s = 0;
        int star = -1;
        int resume = 0;
        while (s < subject.length()) {
            if (p < tokens.size() && tokens.get(p) instanceof One one && one.matches(subject.charAt(s))) {
                p++;
                s++;
            } else if (p < tokens.size() && tokens.get(p) instanceof Star) {
                star = p++;
                resume = s;
            } else if (star >= 0) {
                p = star + 1; // let the last star take one more character, and try again from there
                s = ++resume;
            } else {
                return false;
            }
        }
        while (p < tokens.size() && tokens.get(p) instanceof Star) {
            p++;
        }
        return p == tokens.size();
    }
}
