package oi.tcp;

/**
 * Every test of {@link ProxyProtocolTest} again from the multi-release jar (failsafe runs from
 * target/oi.jar), where an {@code acceptproxy=} rule's socket defers its accepts on JDK 22+.
 */
class ProxyProtocolIT extends ProxyProtocolTest {

    @Override
    boolean defersAccepts() {
        return true;
    }
}
