package oi.log;

import java.net.InetAddress;
import java.time.Duration;
import java.time.ZonedDateTime;
import oi.config.ForwardRule;

/**
 * What the connection log says about one finished connection or UDP session.
 *
 * @param bytesIn bytes received from the client
 * @param bytesOut bytes sent to the client
 */
public record ConnectionRecord(ZonedDateTime end, InetAddress client, ForwardRule rule,
                               long bytesIn, long bytesOut, Outcome outcome, Duration duration) {
}
