package oi.report;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

/**
 * A finished connection in a JDK Flight Recorder recording, so a recording taken during an
 * experiment shows each connection next to the threads and I/O that carried it.
 */
@Name("oi.Connection")
@Label("Connection")
@Category({"oi"})
@Description("A forwarded connection or UDP session, committed when it ends")
public final class ConnectionEvent extends Event {
    @Label("Rule")
    public String rule;

    @Label("Client")
    public String client;

    @Label("Backend")
    public String backend;

    @Label("Bytes from client")
    @DataAmount
    public long bytesIn;

    @Label("Bytes to client")
    @DataAmount
    public long bytesOut;

    @Label("Duration")
    @Timespan(Timespan.NANOSECONDS)
    public long durationNanos;

    @Label("Outcome")
    public String outcome;
}
