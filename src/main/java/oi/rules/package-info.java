/**
 * The rules as loaded: forwarding rules, their two endpoints and options, and rinetd's allow/deny patterns; plain records that know nothing about sockets.
 */
package oi.rules;
