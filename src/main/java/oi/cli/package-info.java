/**
 * The {@code oi} and {@code oi bench} commands: the command line, signals and exit codes; the one place that calls
 * {@code System.exit}. Dependencies run one way: {@code cli} reads the flags and hands {@code bench} its settings.
 */
package oi.cli;
