package oi.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import oi.settings.IoMode;
import org.junit.jupiter.api.Test;

/** Both routes to the JVM's direct-memory limit agree: the JDK's own (opened in tests as by the jar) and the public one. */
class MemoryLimitsTest {

    @Test
    void theInternalAndThePublicRouteGiveTheSameLimit() {
        assertThat(MemoryLimits.internalRoute()).as("the test JVM exports jdk.internal.misc, as the jar's manifest does").isTrue();
        assertThat(MemoryLimits.maxDirectMemory()).isEqualTo(MemoryLimits.publicMaxDirectMemory()).isPositive();
    }

    @Test
    void theDefaultBudgetIsHalfTheLimitOfTheBuffersKind() {
        assertThat(MemoryLimits.defaultBudget(true)).isEqualTo(MemoryLimits.maxDirectMemory() / 2);
        assertThat(MemoryLimits.defaultBudget(false)).isEqualTo(Runtime.getRuntime().maxMemory() / 2);
    }

    @Test
    void aPoolPastItsBudgetRefusesLoansAndCountsThem() {
        BufferPool pool = new BufferPool(IoMode.CHANNEL, null, 64 * 1024, 128 * 1024);
        var first = pool.borrow();
        var second = pool.borrow();
        assertThat(first).isNotNull();
        assertThat(second).isNotNull();
        assertThat(pool.borrow()).as("a third would pass the budget").isNull();
        assertThat(pool.refused()).isEqualTo(1);
        pool.giveBack(first);
        assertThat(pool.borrow()).as("the returned one is lent again").isSameAs(first);
        assertThat(pool.reserved()).isLessThanOrEqualTo(pool.budget());
    }
}
