package oi.report;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** A connection accepted by a rule, so a recording shows when each one began. */
@Name("oi.ConnectionOpened")
@Label("Connection opened")
@Category({"oi"})
@Description("A client accepted by a forwarding rule")
public final class ConnectionOpenedEvent extends Event {
    @Label("Rule")
    public String rule;

    @Label("Client")
    public String client;
}
