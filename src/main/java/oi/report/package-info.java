/**
 * How a connection is reported once it ends: rinetd's outcome words, the connection log line, per-rule counters and Flight Recorder events.
 */
package oi.report;
