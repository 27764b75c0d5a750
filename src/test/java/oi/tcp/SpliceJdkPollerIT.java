package oi.tcp;

import java.util.stream.Stream;
import oi.settings.Settings;

/**
 * Every splice test again with {@code --poller jdk}: the JDK's pollers, which are also where
 * {@code --poller oi} falls back to when the JVM cannot run oi's own.
 */
class SpliceJdkPollerIT extends SpliceIT {

    @Override
    Settings base(String... flags) {
        return super.base(Stream.concat(Stream.of("--poller", "jdk"), Stream.of(flags)).toArray(String[]::new));
    }
}
