/**
 * The {@code oi} command: the command line, signals and exit codes; the one place that calls {@code System.exit}.
 */
package oi.cli;
