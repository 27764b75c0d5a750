/**
 * Allow and deny patterns and rinetd's four-step order for checking a client against them.
 */
package oi.acl;
