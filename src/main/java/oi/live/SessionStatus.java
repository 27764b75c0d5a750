package oi.live;

import java.time.Duration;

/** One live session as {@code /status} shows it. */
public record SessionStatus(long id, String rule, String client, String backend, Duration age, long bytesIn, long bytesOut) {
}
