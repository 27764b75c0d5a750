/**
 * Which threads run the sessions: virtual threads on the JDK's or oi's poller scheduler, or pooled platform threads.
 */
package oi.threads;
