package oi.settings;

import java.util.Locale;

/** How the pumps move bytes: the A/B switch of the I/O study ({@code --io}). */
public enum IoMode {
    /** {@code InputStream}/{@code OutputStream} over heap {@code byte[]} buffers: the JDK copies each read once more. */
    STREAM,
    /**
     * {@code SocketChannel} reads and writes: bulk reads go straight into pooled direct buffers; small
     * reads use the pump's 1 KiB heap buffer, which the JDK copies through a temporary direct one.
     */
    CHANNEL,
    /** splice(2) through a kernel pipe (JDK 22 and later): the bytes never enter the JVM. */
    SPLICE,
    /**
     * A request or a reply through the pump's 1 KiB heap buffer, as {@link #CHANNEL} reads it, and
     * splice(2) while reads fill that buffer (a bulk transfer), until a splice moves no more than
     * it holds (JDK 22 and later): a pipe costs more than a copy of a few hundred bytes.
     */
    HYBRID,
    /** The fastest mode this JVM runs: splice where it can, channel otherwise; resolved once at startup. */
    AUTO;

    /** This mode as it will run: {@link #AUTO} becomes splice or channel, the others stay as they are. */
    public IoMode resolve(boolean spliceWorks) {
        return this != AUTO ? this : spliceWorks ? SPLICE : CHANNEL;
    }

    /** Whether this mode calls splice(2), and so needs JDK 22 and the JDK's channel hooks. */
    public boolean splices() {
        return this == SPLICE || this == HYBRID;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
