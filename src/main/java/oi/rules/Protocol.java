package oi.rules;

/** The transport of one side of a forwarding rule; rinetd's ports default to TCP. */
public enum Protocol {
    TCP, UDP;

    /** The suffix as written after a port, e.g. {@code /udp}. */
    public String suffix() {
        return name().toLowerCase();
    }
}
