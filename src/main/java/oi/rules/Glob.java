package oi.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

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
    /** One pattern element: a star, or a test of exactly one character. */
    private sealed interface Token {
    }

    private record Star() implements Token {
    }

    private record One(IntPredicate accepts) implements Token {
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
                case '?' -> tokens.add(new One(any -> true));
                case '[' -> {
                    int close = pattern.indexOf(']', i + 2); // a ']' right after '[' (or "[!") is a member
                    if (close < 0) {
                        throw new IllegalArgumentException("unclosed [ in " + pattern);
                    }
                    boolean negated = pattern.charAt(i + 1) == '!';
                    IntPredicate member = none -> false;
                    for (int j = negated ? i + 2 : i + 1; j < close; j++) {
                        boolean range = j + 2 < close && pattern.charAt(j + 1) == '-';
                        char low = pattern.charAt(j);
                        char high = pattern.charAt(range ? j + 2 : j);
                        member = member.or(ch -> ch >= low && ch <= high);
                        j += range ? 2 : 0;
                    }
                    tokens.add(new One(negated ? member.negate() : member));
                    i = close;
                }
                default -> tokens.add(new One(ch -> ch == c));
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
            if (p < tokens.size() && tokens.get(p) instanceof One one && one.accepts().test(subject.charAt(s))) {
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
