package oi.cli;

/** Process exit statuses, named as the JDK's launchers name theirs. */
public enum ExitCode {
    /** Ran and stopped cleanly, or printed help or version. */
    OK(0),
    /** The system refused: an address could not be bound, a file could not be opened. */
    SYSERR(1),
    /** The command line or the rules file is wrong. */
    CMDERR(2);

    private final int status;

    ExitCode(int status) {
        this.status = status;
    }

    /** The number the process exits with. */
    public int status() {
        return status;
    }
}
