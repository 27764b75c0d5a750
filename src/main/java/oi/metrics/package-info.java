/**
 * {@code --metrics}: the counters as Prometheus text and JSON status over the JDK's built-in HTTP server.
 */
package oi.metrics;
