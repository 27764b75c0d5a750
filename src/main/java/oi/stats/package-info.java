/**
 * Per-rule counters and histograms, updated without locks, and Flight Recorder events for each connection.
 */
package oi.stats;
