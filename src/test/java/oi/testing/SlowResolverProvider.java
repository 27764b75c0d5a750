package oi.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * A name service for tests: names under {@code slow.oi.test} are 127.0.0.1, looked up in
 * {@link #DELAY_MILLIS} (blocking the thread, as the C library's resolver does) while the file
 * named by the {@code oi.test.slowDns} property exists, at once otherwise; every other name goes to the JDK's own resolver. Loaded by the JDK's service
 * lookup from the test classpath.
 */
public final class SlowResolverProvider extends InetAddressResolverProvider {
    /** How long a slow lookup takes. */
    public static final long DELAY_MILLIS = 3000;
    /** The suffix of the names this provider answers. */
    public static final String DOMAIN = ".slow.oi.test";

    @Override
    public InetAddressResolver get(Configuration configuration) {
        InetAddressResolver builtin = configuration.builtinResolver();
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                if (!host.endsWith(DOMAIN)) {
                    return builtin.lookupByName(host, policy);
                }
                String flag = System.getProperty("oi.test.slowDns");
                if (flag != null && Files.exists(Path.of(flag))) {
                    blockTheCarrier();
                }
                return Stream.of(InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1}));
            }

            @Override
            public String lookupByAddress(byte[] address) throws UnknownHostException {
                return builtin.lookupByAddress(address);
            }
        };
    }

    /**
     * Waits {@link #DELAY_MILLIS} in a blocking read(2), as getaddrinfo(3) waits for a DNS server:
     * a virtual thread cannot unmount from it, so it holds the platform thread it runs on, where
     * {@code Thread.sleep} would let that thread go.
     */
    private static void blockTheCarrier() {
        try {
            Process sleep = new ProcessBuilder("sleep", Double.toString(DELAY_MILLIS / 1000.0)).start();
            sleep.getInputStream().read(); // end of stream when sleep exits
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String name() {
        return "oi-test-slow-names";
    }
}
