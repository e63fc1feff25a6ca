package yarnps.common;

import java.util.Arrays;

/**
 * Builds a {@link KeyLayout} by consistent hashing with virtual nodes, as the AM does once every
 * server has registered.
 *
 * <p>Every (server, vnode) pair gets a point on the unsigned 64-bit ring, {@link #point}, which
 * depends only on the seed, the server and the vnode. Convention: the range between two
 * consecutive points [p, q) is held by the server of the point at its end, q; that is, a key
 * belongs to the server of the first point strictly greater than the key, going clockwise. The
 * range that wraps past 2^64 - 1 is split into [last point, 2^64) and [0, first point), both held
 * by the server of the first point, so that ranges start at 0. Where points of several servers
 * coincide, the lowest server index holds the point. Adjacent ranges of the same server are
 * merged.
 *
 * <p>Since points do not depend on the number of servers, building with one server more moves
 * only keys to the new server; every other key keeps its server.
 */
public final class HashRing {
  /** Most points a ring may have (servers times vnodes per server). */
  public static final int MAX_POINTS = 1 << 22;

  private HashRing() {}

  /**
   * The layout of {@code numServers} servers with {@code vnodesPerServer} points each.
   *
   * @throws IllegalArgumentException if a count is below 1 or there would be more than
   *     {@link #MAX_POINTS} points
   */
  public static KeyLayout build(long version, int numServers, int vnodesPerServer, long seed) {
    if (numServers < 1 || vnodesPerServer < 1) {
      throw new IllegalArgumentException("need at least one server and one vnode per server, got "
          + numServers + " servers and " + vnodesPerServer + " vnodes");
    }
    if ((long) numServers * vnodesPerServer > MAX_POINTS) {
      throw new IllegalArgumentException(numServers + " servers * " + vnodesPerServer
          + " vnodes exceed " + MAX_POINTS + " points");
    }
    int m = numServers * vnodesPerServer;
    long[] points = new long[m];
    int[] servers = new int[m];
    for (int s = 0, i = 0; s < numServers; s++) {
      for (int v = 0; v < vnodesPerServer; v++, i++) {
        points[i] = point(seed, s, v);
        servers[i] = s;
      }
    }
    return fromPoints(version, points, servers, numServers);
  }

  /** The ring position of vnode {@code vnode} of server {@code server}. */
  public static long point(long seed, int server, int vnode) {
    long h = mix64(seed + 0x9E3779B97F4A7C15L * (server + 1L));
    return mix64(h ^ (0xC2B2AE3D27D4EB4FL * (vnode + 1L)));
  }

  /** The layout of arbitrary points (any order, duplicates allowed); exposed for tests. */
  static KeyLayout fromPoints(long version, long[] points, int[] servers, int numServers) {
    int m = points.length;
    // Flipping the sign bit maps unsigned order onto signed order.
    long[] order = new long[m];
    for (int i = 0; i < m; i++) {
      order[i] = points[i] ^ Long.MIN_VALUE;
    }
    int[] idx = sortedIndex(order, servers);
    // Distinct points q[0..d) with the lowest server of each.
    long[] q = new long[m];
    int[] qs = new int[m];
    int d = 0;
    for (int j = 0; j < m; j++) {
      long p = points[idx[j]];
      if (d == 0 || q[d - 1] != p) {
        q[d] = p;
        qs[d] = servers[idx[j]];
        d++;
      }
    }
    long[] starts = new long[d + 1];
    int[] owners = new int[d + 1];
    int r = 0;
    if (q[0] != 0) {
      starts[r] = 0;
      owners[r] = qs[0];
      r++;
    }
    for (int j = 0; j < d; j++) {
      int owner = j + 1 < d ? qs[j + 1] : qs[0];
      if (r > 0 && owners[r - 1] == owner) {
        continue;
      }
      starts[r] = q[j];
      owners[r] = owner;
      r++;
    }
    return new KeyLayout(version, Arrays.copyOf(starts, r), Arrays.copyOf(owners, r), numServers);
  }

  /** Indexes of the (flipped point, server) pairs sorted by flipped point, then server. */
  private static int[] sortedIndex(long[] flipped, int[] servers) {
    int m = flipped.length;
    // Boxing is fine here: this runs once per layout on the AM, off any hot path.
    Integer[] boxed = new Integer[m];
    for (int i = 0; i < m; i++) {
      boxed[i] = i;
    }
    Arrays.sort(boxed, (a, b) -> {
      int c = Long.compare(flipped[a], flipped[b]);
      return c != 0 ? c : Integer.compare(servers[a], servers[b]);
    });
    int[] idx = new int[m];
    for (int i = 0; i < m; i++) {
      idx[i] = boxed[i];
    }
    return idx;
  }

  /** splitmix64's finalizer (Stafford variant 13). */
  private static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
