/**
 * The rules-file language (rinetd's, plus {@code include} and a few options) read into plain records; knows nothing about sockets.
 */
package oi.config;
