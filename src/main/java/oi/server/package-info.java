/**
 * The running forwarder: one listener per rule, reload without dropping connections, and orderly stop.
 */
package oi.server;
