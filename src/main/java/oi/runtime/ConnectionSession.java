package oi.runtime;

/** A session that runs on its own thread from its first step to its log line: a TCP client's connection. */
public interface ConnectionSession extends Session, Runnable {
}
