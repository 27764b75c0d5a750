package oi.server;

/** The forwarder could not start: an address could not be bound or a file opened. */
public final class StartupException extends Exception {

    /** One line per problem, each naming the address or file. */
    public StartupException(String message) {
        super(message);
    }
}
