package oi.balance;

import java.net.InetAddress;
import java.util.Comparator;
import java.util.List;

/**
 * {@code iphash}: weighted rendezvous hashing. Each client ranks the backends by a score of its
 * own address and each backend's, so a client keeps its backend, and a backend that leaves moves
 * only its own clients (to their second choice); no table to rebuild on reload.
 */
final class Rendezvous {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private Rendezvous() {
    }

    /** The tier in this client's order of preference, its backend first. */
    static List<BackendState> rank(List<BackendState> tier, InetAddress client) {
        long key = hash(client.getAddress());
        return tier.stream().sorted(Comparator.comparingDouble((BackendState member) -> score(key, member)).reversed()).toList();
    }

    /** The weighted score {@code -weight / ln(u)}, with {@code u} uniform in (0, 1) from both hashes: highest wins. */
    static double score(long client, BackendState member) {
        long mixed = mix(client ^ mix(hash(member.endpoint().toString()) * GOLDEN));
        double uniform = ((mixed >>> 11) + 0.5) / (1L << 53);
        return -member.backend().weight() / Math.log(uniform);
    }

    private static long hash(byte[] bytes) {
        long h = GOLDEN;
        for (byte b : bytes) {
            h = mix(h ^ (b & 0xff));
        }
        return h;
    }

    private static long hash(String text) {
        long h = GOLDEN;
        for (int i = 0; i < text.length(); i++) {
            h = h * 31 + text.charAt(i);
        }
        return mix(h);
    }

    /** SplitMix64's finaliser: every input bit reaches every output bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
