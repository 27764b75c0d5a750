/**
 * What is running now: the listeners, the registry of live sessions with its one sweeper, and the connection limits.
 */
package oi.live;
