package oi.report;

import java.time.Duration;
import java.time.ZonedDateTime;
import oi.rules.Endpoint;
import oi.rules.ForwardRule;

/**
 * What the connection log says about one finished connection or UDP session.
 *
 * @param client the client's address as logged: an IP address, or {@code unix} for a Unix-socket client
 * @param backend the backend that served, or the last one tried (the rule's first, for a client refused before any)
 * @param bytesIn bytes received from the client
 * @param bytesOut bytes sent to the client
 */
public record ConnectionRecord(ZonedDateTime end, String client, ForwardRule rule, Endpoint backend,
                               long bytesIn, long bytesOut, Outcome outcome, Duration duration) {
}
