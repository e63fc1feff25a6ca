package yarnps.bench;

import java.util.Arrays;
import yarnps.common.HashRing;
import yarnps.common.KeyLayout;

/**
 * The one layout every process of a benchmark group uses, built by the driver and passed to the
 * servers and workers as a string.
 *
 * <p>A ring over the whole 2^64 key space would give every benchmark key to one server: the dense
 * keys 0..1M and the sparse keys below 2^40 all fall into the ring's first range. So the layout
 * splits [0, 1M) evenly across the servers, and above 1M uses the consistent-hashing ring of
 * {@link HashRing#build} scaled down into [0, 2^40) (every point shifted right by 24 bits), the
 * last ring range extending to 2^64. Sparse and small requests thus meet the ring's many ranges
 * per server as in a job; dense requests meet one range per server.
 */
final class BenchLayout {
  /** Keys of the dense case: [0, DENSE_KEYS). */
  static final long DENSE_KEYS = 1_000_000;
  /** Random keys are drawn from [0, 2^SPARSE_BITS). */
  static final int SPARSE_BITS = 40;
  static final int VNODES = 32;
  static final long VERSION = 1;

  private BenchLayout() {}

  static KeyLayout build(int servers, long seed) {
    KeyLayout ring = HashRing.build(VERSION, servers, VNODES, seed);
    int shift = 64 - SPARSE_BITS;
    long[] starts = new long[servers + ring.numRanges()];
    int[] owners = new int[starts.length];
    int n = 0;
    for (int s = 0; s < servers; s++) {
      n = add(starts, owners, n, DENSE_KEYS * s / servers, s);
    }
    for (int r = 0; r < ring.numRanges(); r++) {
      long limit = r + 1 < ring.numRanges() ? ring.rangeStart(r + 1) >>> shift : Long.MAX_VALUE;
      if (limit <= DENSE_KEYS) {
        continue;
      }
      n = add(starts, owners, n, Math.max(DENSE_KEYS, ring.rangeStart(r) >>> shift), ring.owner(r));
    }
    return new KeyLayout(VERSION, Arrays.copyOf(starts, n), Arrays.copyOf(owners, n), servers);
  }

  /** Appends range [start, ...) of owner, merging it into the previous one where possible. */
  private static int add(long[] starts, int[] owners, int n, long start, int owner) {
    if (n > 0 && owners[n - 1] == owner) {
      return n;
    }
    if (n > 0 && starts[n - 1] == start) {
      // Two scaled points collided: the later range wins the start.
      owners[n - 1] = owner;
      return n > 1 && owners[n - 2] == owner ? n - 1 : n;
    }
    starts[n] = start;
    owners[n] = owner;
    return n + 1;
  }

  /** The layout as {@code servers;start:owner,start:owner,...}. */
  static String encode(KeyLayout layout) {
    StringBuilder sb = new StringBuilder().append(layout.numServers()).append(';');
    for (int r = 0; r < layout.numRanges(); r++) {
      sb.append(r == 0 ? "" : ",").append(Long.toUnsignedString(layout.rangeStart(r))).append(':')
          .append(layout.owner(r));
    }
    return sb.toString();
  }

  static KeyLayout decode(String text) {
    int semi = text.indexOf(';');
    if (semi < 0) {
      throw new IllegalArgumentException("bad layout '" + text + "': expected servers;start:owner,...");
    }
    int servers = Integer.parseInt(text.substring(0, semi));
    String[] parts = text.substring(semi + 1).split(",");
    long[] starts = new long[parts.length];
    int[] owners = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      int colon = parts[i].indexOf(':');
      starts[i] = Long.parseUnsignedLong(parts[i].substring(0, colon));
      owners[i] = Integer.parseInt(parts[i].substring(colon + 1));
    }
    return new KeyLayout(VERSION, starts, owners, servers);
  }
}
