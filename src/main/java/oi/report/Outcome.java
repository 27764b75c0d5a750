package oi.report;

import oi.rules.AccessList.Verdict;

/**
 * How a connection ended, in rinetd's log words. In rinetd's naming the "local" socket is the one
 * towards the backend and the "remote" one is the client's.
 */
public enum Outcome {
    /** The backend closed first. */
    DONE_LOCAL_CLOSED("done-local-closed"),
    /** The client closed first. */
    DONE_REMOTE_CLOSED("done-remote-closed"),
    /** The socket towards the backend could not be created. */
    LOCAL_SOCKET_FAILED("local-socket-failed -"),
    /** The rule's {@code src=} address could not be bound. */
    LOCAL_BIND_FAILED("local-bind-failed -"),
    /** The backend refused, was unreachable or did not answer in time. */
    LOCAL_CONNECT_FAILED("local-connect-failed -"),
    /** An allow list exists and the client matched none of it. */
    NOT_ALLOWED("not-allowed"),
    /** The client matched a deny pattern. */
    DENIED("denied"),
    /** {@code --max-conns} or the rule's {@code maxconns} was reached (oi's word; rinetd has no limit). */
    REFUSED_MAXCONNS("refused-maxconns"),
    /** No bytes moved for the idle timeout, or a UDP session's {@code timeout=} (oi's word). */
    IDLE_TIMEOUT("idle-timeout"),
    /** With {@code acceptproxy=}: no PROXY header, a malformed or oversized one, or none within {@code --connect-timeout} (oi's word). */
    BAD_PROXY_HEADER("bad-proxy-header"),
    /** With {@code proxyfrom=}: a peer whose PROXY header is not believed, refused before it is read (oi's word). */
    UNTRUSTED_PROXY("untrusted-proxy"),
    /** A UDP session closed to make room under {@code --udp-sessions} (oi's word). */
    EVICTED("evicted"),
    /** Something unexpected, such as running out of memory, ended this session alone (oi's word). */
    INTERNAL_ERROR("internal-error");

    private final String word;

    Outcome(String word) {
        this.word = word;
    }

    /** The refusal of an access check; {@link Verdict#ALLOWED} is none, so it has no word. */
    public static Outcome of(Verdict verdict) {
        return switch (verdict) {
            case DENIED -> DENIED;
            case NOT_ALLOWED -> NOT_ALLOWED;
            case ALLOWED -> throw new IllegalArgumentException("an allowed client is not refused");
        };
    }

    /** The word written in the log. */
    public String word() {
        return word;
    }
}
