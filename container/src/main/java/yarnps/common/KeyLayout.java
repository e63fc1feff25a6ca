package yarnps.common;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An immutable view of which server holds which keys: ranges sorted by start that cover the whole
 * unsigned 64-bit key space [0, 2^64) without gaps, each held by one server index in
 * [0, numServers). Range {@code r} is [{@link #rangeStart}(r), {@link #rangeLimit}(r)), the limit
 * of the last range being 2^64, written 0 as in the IDL's {@code KeyRange}.
 *
 * <p>A worker splits a sorted request by server with {@link #slice}:
 * <pre>{@code
 * int n = KeyArrays.sortUnique(keys, count);
 * KeyLayout.Slices s = layout.slice(keys, n);
 * for (int srv = 0; srv < s.numServers(); srv++) {
 *   for (int i = 0; i < s.intervals(srv); i++) {
 *     send(srv, keys, s.from(srv, i), s.to(srv, i));
 *   }
 * }
 * }</pre>
 */
public final class KeyLayout {
  private final long version;
  private final long[] starts;
  private final int[] owners;
  private final int numServers;

  /**
   * @param rangeStarts start of every range: the first is 0, then strictly increasing (unsigned)
   * @param rangeOwners server of every range, in [0, numServers)
   * @throws IllegalArgumentException if the ranges do not satisfy the above
   */
  public KeyLayout(long version, long[] rangeStarts, int[] rangeOwners, int numServers) {
    if (numServers < 1) {
      throw new IllegalArgumentException("numServers must be >= 1, got " + numServers);
    }
    if (rangeStarts.length == 0) {
      throw new IllegalArgumentException("a layout needs at least one range");
    }
    if (rangeStarts.length != rangeOwners.length) {
      throw new IllegalArgumentException(rangeStarts.length + " range starts but "
          + rangeOwners.length + " owners");
    }
    if (rangeStarts[0] != 0) {
      throw new IllegalArgumentException("the first range must start at 0, not "
          + Long.toUnsignedString(rangeStarts[0]));
    }
    for (int r = 0; r < rangeStarts.length; r++) {
      if (r > 0 && Long.compareUnsigned(rangeStarts[r - 1], rangeStarts[r]) >= 0) {
        throw new IllegalArgumentException("range starts not strictly increasing (unsigned) at range "
            + r + ": " + Long.toUnsignedString(rangeStarts[r - 1]) + " then "
            + Long.toUnsignedString(rangeStarts[r]));
      }
      if (rangeOwners[r] < 0 || rangeOwners[r] >= numServers) {
        throw new IllegalArgumentException("range " + r + " is held by server " + rangeOwners[r]
            + ", not in [0, " + numServers + ")");
      }
    }
    this.version = version;
    this.starts = rangeStarts.clone();
    this.owners = rangeOwners.clone();
    this.numServers = numServers;
  }

  /**
   * The layout of a {@code yarnps.thrift.Layout}; the number of servers is the size of its server
   * list.
   *
   * @throws IllegalArgumentException if its ranges leave a gap, overlap or name an unknown server
   */
  public static KeyLayout fromThrift(yarnps.thrift.Layout layout) {
    List<yarnps.thrift.KeyRange> ranges = layout.getRanges();
    if (ranges == null || ranges.isEmpty()) {
      throw new IllegalArgumentException("layout version " + layout.getVersion() + " has no ranges");
    }
    int n = ranges.size();
    long[] starts = new long[n];
    int[] owners = new int[n];
    for (int r = 0; r < n; r++) {
      yarnps.thrift.KeyRange kr = ranges.get(r);
      long expectedLimit = r + 1 < n ? ranges.get(r + 1).getStart() : 0;
      if (kr.getLimit() != expectedLimit) {
        throw new IllegalArgumentException("layout version " + layout.getVersion() + ": range " + r
            + " ends at " + Long.toUnsignedString(kr.getLimit()) + " but the next range starts at "
            + (r + 1 < n ? Long.toUnsignedString(expectedLimit) : "2^64 (limit 0)"));
      }
      starts[r] = kr.getStart();
      owners[r] = kr.getServer();
    }
    int servers = layout.getServers() == null ? 0 : layout.getServers().size();
    return new KeyLayout(layout.getVersion(), starts, owners, servers);
  }

  /** The ranges as IDL {@code KeyRange}s, for building a {@code yarnps.thrift.Layout}. */
  public List<yarnps.thrift.KeyRange> toThriftRanges() {
    List<yarnps.thrift.KeyRange> out = new ArrayList<>(starts.length);
    for (int r = 0; r < starts.length; r++) {
      out.add(new yarnps.thrift.KeyRange(starts[r], rangeLimit(r), owners[r]));
    }
    return out;
  }

  public long version() {
    return version;
  }

  public int numRanges() {
    return starts.length;
  }

  public long rangeStart(int r) {
    return starts[r];
  }

  /** The exclusive end of range {@code r}; 0 stands for 2^64 (the last range). */
  public long rangeLimit(int r) {
    return r + 1 < starts.length ? starts[r + 1] : 0;
  }

  /** The server holding range {@code r}. */
  public int owner(int r) {
    return owners[r];
  }

  public int numServers() {
    return numServers;
  }

  /** The index of the range holding {@code key}. */
  public int rangeOf(long key) {
    return rangeOf(key, 0);
  }

  /** The server holding {@code key}. */
  public int serverOf(long key) {
    return owners[rangeOf(key, 0)];
  }

  /** The last range r >= lo with start <= key; starts[lo] <= key must hold. */
  private int rangeOf(long key, int lo) {
    int hi = starts.length - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (Long.compareUnsigned(starts[mid], key) <= 0) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  /** The first index i in [lo, n) with keys[i] >= bound (unsigned), or n. */
  private static int lowerBound(long[] keys, int lo, int n, long bound) {
    return KeyArrays.lowerBound(keys, lo, n, bound);
  }

  /**
   * Splits {@code keys[0, n)}, sorted ascending (unsigned) and unique, by server: for every server
   * the index intervals [from, to) of the keys it holds, in ascending order. Adjacent intervals of
   * one server are merged, so a server holding consecutive ranges gets one interval. Costs
   * O(k (log n + log ranges)) for the k ranges that hold at least one of the keys.
   */
  public Slices slice(long[] keys, int n) {
    Objects.checkFromToIndex(0, n, keys.length);
    int maxChunks = Math.min(n, starts.length);
    int[] chunkServer = new int[maxChunks];
    int[] chunkTo = new int[maxChunks];
    int chunks = 0;
    int i = 0;
    int r = 0;
    while (i < n) {
      r = rangeOf(keys[i], r);
      int end = r + 1 < starts.length ? lowerBound(keys, i + 1, n, starts[r + 1]) : n;
      if (chunks > 0 && chunkServer[chunks - 1] == owners[r]) {
        chunkTo[chunks - 1] = end;
      } else {
        chunkServer[chunks] = owners[r];
        chunkTo[chunks] = end;
        chunks++;
      }
      i = end;
    }
    return new Slices(numServers, chunkServer, chunkTo, chunks);
  }

  /**
   * The result of {@link #slice}: per server, its index intervals into the sliced key array, as
   * primitive arrays (no object per interval).
   */
  public static final class Slices {
    private final int[] first;
    private final int[] from;
    private final int[] to;
    private final int[] keyCount;

    /** Groups the chunks (consecutive intervals tiling [0, n)) by server, keeping their order. */
    Slices(int numServers, int[] chunkServer, int[] chunkTo, int chunks) {
      first = new int[numServers + 1];
      keyCount = new int[numServers];
      for (int c = 0; c < chunks; c++) {
        first[chunkServer[c] + 1]++;
      }
      for (int s = 0; s < numServers; s++) {
        first[s + 1] += first[s];
      }
      from = new int[chunks];
      to = new int[chunks];
      int[] next = Arrays.copyOf(first, numServers);
      int prevTo = 0;
      for (int c = 0; c < chunks; c++) {
        int s = chunkServer[c];
        int at = next[s]++;
        from[at] = prevTo;
        to[at] = chunkTo[c];
        keyCount[s] += chunkTo[c] - prevTo;
        prevTo = chunkTo[c];
      }
    }

    public int numServers() {
      return keyCount.length;
    }

    /** Keys held by server {@code s}. */
    public int count(int s) {
      return keyCount[s];
    }

    /** Index intervals of server {@code s}; 0 when it holds none of the keys. */
    public int intervals(int s) {
      return first[s + 1] - first[s];
    }

    /** Start (inclusive) of interval {@code i} of server {@code s}. */
    public int from(int s, int i) {
      return from[index(s, i)];
    }

    /** End (exclusive) of interval {@code i} of server {@code s}. */
    public int to(int s, int i) {
      return to[index(s, i)];
    }

    private int index(int s, int i) {
      Objects.checkIndex(i, intervals(s));
      return first[s] + i;
    }
  }
}
