package oi.threads;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The poller scheduler in-process (surefire opens {@code java.lang} and sets
 * {@code jdk.pollerMode=1}, as bin/oi does): where the threads it wakes and starts run.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PollerSchedulerTest {

    /** The platform thread the calling virtual thread is mounted on, from its {@code toString}: {@code ...@Read-Poller}. */
    private static String carrierName() {
        String self = Thread.currentThread().toString();
        return self.substring(self.lastIndexOf('@') + 1);
    }

    @Test
    void aThreadThatAWokenThreadStartsRunsNextOnTheSamePoller() throws Exception {
        PollerScheduler scheduler = PollerScheduler.create();
        assertThat(scheduler).as("the poller scheduler in this JVM").isNotNull();
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             SocketChannel client = SocketChannel.open(server.getLocalAddress());
             SocketChannel accepted = server.accept()) {
            CompletableFuture<String> parked = new CompletableFuture<>();
            CompletableFuture<String> where = new CompletableFuture<>();
            scheduler.start("reader", () -> {
                try {
                    parked.complete(carrierName());
                    accepted.read(ByteBuffer.allocate(1)); // parks: the byte is not sent yet
                    String woken = carrierName();
                    scheduler.start("started", () -> where.complete(woken + " " + carrierName()));
                } catch (Exception e) {
                    where.completeExceptionally(e);
                }
            });
            assertThat(parked.get(10, TimeUnit.SECONDS)).as("where a thread first runs").startsWith("oi-carrier-");
            Thread.sleep(200); // the reader is parked on the poller by now
            client.write(ByteBuffer.wrap(new byte[] {1}));
            String[] carriers = where.get(10, TimeUnit.SECONDS).split(" ");
            assertThat(carriers[0]).as("the woken reader").endsWith("-Poller");
            assertThat(carriers[1]).as("the thread it started").isEqualTo(carriers[0]);
        }
    }
}
