package oi.cli;

/**
 * Process exit statuses. The names are those of the JDK's launchers ({@code Startup.CMDERR},
 * {@code SYSERR}), but not their numbers: there CMDERR is 1 and SYSERR 2, while oi, like grep and
 * most Unix tools, gives 2 to bad input (a wrong flag, a wrong rules file) and 1 to a system that
 * refused (a port in use).
 */
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
