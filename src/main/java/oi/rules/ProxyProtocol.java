package oi.rules;

/** Which PROXY protocol header (HAProxy's spec) a rule sends to its backend first, or takes from its client, if any. */
public enum ProxyProtocol {
    /** No header: the backend sees oi as the client, as with rinetd. */
    NONE,
    /** The human-readable header, {@code PROXY TCP4 src dst sport dport\r\n}. */
    V1,
    /** The binary header with its 12-byte signature. */
    V2,
    /** Either header, told apart by its first bytes: what {@code acceptproxy=any} takes (never sent). */
    ANY
}
