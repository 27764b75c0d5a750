/**
 * What the command line asked for: the tunables of the study (--buffer, --threads, --io, --scheduler) and the limits.
 */
package oi.settings;
