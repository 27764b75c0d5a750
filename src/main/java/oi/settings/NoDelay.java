package oi.settings;

import java.util.Locale;

/** When the pumps' sockets send at once (TCP_NODELAY): the A/B switch of the per-call study ({@code --nodelay}). */
public enum NoDelay {
    /** Always: every write leaves as soon as it is made, so each 8 KiB write is its own segment. */
    ALWAYS,
    /**
     * Off while a direction's reads keep coming back full (a bulk transfer, whose writes the
     * kernel then merges into larger segments), on again at its first short read, which also
     * pushes out what was held: a request and its answer are never held back.
     */
    AUTO;

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
