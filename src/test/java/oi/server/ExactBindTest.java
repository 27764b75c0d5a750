package oi.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import oi.settings.Settings;
import oi.testing.RunningForwarder;
import oi.testing.TcpServer;
import oi.testing.UdpEcho;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rule binds exactly the address it names: {@code 0.0.0.0} serves IPv4 clients only, as
 * rinetd does, while {@code ::} stays dual-stack (the control that proves this host has IPv6).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ExactBindTest {
    private static final InetAddress IPV6_LOOPBACK = loopback6();

    @TempDir
    Path dir;

    private static InetAddress loopback6() {
        try {
            return InetAddress.getByName("::1");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Connects to the port on {@code address}, sends a line and returns what the echo sent back. */
    private static String tcpExchange(InetAddress address, int port) throws IOException {
        try (Socket client = new Socket()) {
            client.connect(new InetSocketAddress(address, port), 2000);
            client.setSoTimeout(5000);
            client.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            return new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    /** Sends one datagram to the port on {@code address}; returns the answer, or null when none came in a second. */
    private static String udpExchange(InetAddress address, int port) throws IOException {
        try (DatagramChannel client = DatagramChannel.open()) {
            client.socket().setSoTimeout(1000);
            client.send(ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII)), new InetSocketAddress(address, port));
            byte[] answer = new byte[64];
            java.net.DatagramPacket packet = new java.net.DatagramPacket(answer, answer.length);
            try {
                client.socket().receive(packet);
            } catch (SocketTimeoutException e) {
                return null;
            }
            return new String(answer, 0, packet.getLength(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void anIpv4WildcardServesIpv4AndRefusesIpv6ForTcpAndUdp() throws Exception {
        Set<SocketAddress> backendClients = ConcurrentHashMap.newKeySet();
        try (TcpServer backend = TcpServer.start(socket -> {
                 backendClients.add(socket.getRemoteSocketAddress());
                 socket.getInputStream().transferTo(socket.getOutputStream());
             });
             UdpEcho udpBackend = new UdpEcho();
             RunningForwarder oi = RunningForwarder.start(dir, "0.0.0.0 0 127.0.0.1 " + backend.port() + "\n"
                     + "0.0.0.0 0/udp 127.0.0.1 " + udpBackend.port() + "/udp\n", Settings.DEFAULTS)) {
            int tcpPort = oi.port(0);
            int udpPort = oi.port(1);
            assertThat(oi.listener(0).localAddress()).isEqualTo("0.0.0.0:" + tcpPort);
            assertThat(oi.listener(1).localAddress()).isEqualTo("0.0.0.0:" + udpPort);

            assertThat(tcpExchange(InetAddress.getByName("127.0.0.1"), tcpPort)).isEqualTo("hello\n");
            assertThatThrownBy(() -> tcpExchange(IPV6_LOOPBACK, tcpPort)).isInstanceOf(java.net.ConnectException.class);
            assertThat(udpExchange(InetAddress.getByName("127.0.0.1"), udpPort)).isEqualTo("ping");
            assertThat(udpExchange(IPV6_LOOPBACK, udpPort)).isNull();

            assertThat(backendClients).isNotEmpty().noneMatch(a -> ((InetSocketAddress) a).getAddress() instanceof Inet6Address);
        }
    }

    @Test
    void theIpv6WildcardStaysDualStack() throws Exception {
        try (TcpServer backend = TcpServer.echo();
             RunningForwarder oi = RunningForwarder.start(dir, "[::] 0 127.0.0.1 " + backend.port() + "\n", Settings.DEFAULTS)) {
            int port = oi.port(0);
            assertThat(oi.listener(0).localAddress()).isEqualTo("[::]:" + port);
            assertThat(tcpExchange(IPV6_LOOPBACK, port)).isEqualTo("hello\n");
            assertThat(tcpExchange(InetAddress.getByName("127.0.0.1"), port)).isEqualTo("hello\n");
        }
    }

    @Test
    void anIpv6AddressBindsIpv6Only() throws Exception {
        try (TcpServer backend = TcpServer.echo();
             RunningForwarder oi = RunningForwarder.start(dir, "[::1] 0 127.0.0.1 " + backend.port() + "\n", Settings.DEFAULTS)) {
            int port = oi.port(0);
            assertThat(oi.listener(0).localAddress()).isEqualTo("[::1]:" + port);
            assertThat(tcpExchange(IPV6_LOOPBACK, port)).isEqualTo("hello\n");
            assertThatThrownBy(() -> tcpExchange(InetAddress.getByName("127.0.0.1"), port))
                    .isInstanceOf(java.net.ConnectException.class);
        }
    }
}
