package oi.runtime;

/**
 * Where a session's tasks run: the one choice of {@code --threads} (and, for virtual threads, of
 * their scheduler), made once at startup and used by every listener.
 */
public interface Threads {

    /** Runs {@code task} on a thread named {@code name}, started now or taken from a pool. */
    void start(String name, Runnable task);

    /** The threads of a settings' model. */
    static Threads of(Settings settings) {
        return settings.threads()::start;
    }
}
