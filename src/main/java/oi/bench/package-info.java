/**
 * {@code oi bench}: the in-process buffer and thread-model A/B, and the load tools the experiment harness drives.
 */
package oi.bench;
