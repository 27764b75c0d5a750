/**
 * The modes of {@code oi bench}: the in-process buffer and thread-model A/B, and the load tools the experiment
 * harness drives; {@code oi.cli} reads their command line, this package knows nothing of it.
 */
package oi.bench;
