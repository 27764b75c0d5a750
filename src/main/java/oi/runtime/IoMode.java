package oi.runtime;

import java.util.Locale;

/** How the pumps move bytes: the A/B switch of the I/O study ({@code --io}). */
public enum IoMode {
    /** {@code InputStream}/{@code OutputStream} over heap {@code byte[]} buffers: the JDK copies each read once more. */
    STREAM,
    /** {@code SocketChannel} reads and writes with direct {@code ByteBuffer}s: no extra copy. */
    CHANNEL;

    /** Parses the flag value ({@code stream} or {@code channel}). */
    public static IoMode parse(String text) {
        return FlagValue.parse(IoMode.class, "--io", text);
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
