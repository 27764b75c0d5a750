/**
 * UDP rules and the tcp-to-udp and udp-to-tcp bridges: per-client sessions, timeouts and a bounded session table.
 */
package oi.udp;
