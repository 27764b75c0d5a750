/**
 * The TCP data path: accept, access check, backend connect, two pumps, half-close, abort, close.
 */
package oi.tcp;
