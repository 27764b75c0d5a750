/**
 * rinetd's per-connection log in its tab and common-log layouts, and the words for how a connection ended.
 */
package oi.log;
