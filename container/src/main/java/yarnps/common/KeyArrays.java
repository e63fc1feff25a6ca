package yarnps.common;

import java.util.Arrays;
import java.util.Objects;

/** Key array helpers; keys are ordered as unsigned 64-bit integers throughout yarn-ps. */
public final class KeyArrays {
  private KeyArrays() {}

  /**
   * Sorts {@code keys[0, n)} ascending in unsigned order in place, drops duplicates and returns
   * the number of distinct keys, which then sit in {@code keys[0, count)}. {@code keys[count, n)}
   * is left unspecified.
   */
  public static int sortUnique(long[] keys, int n) {
    Objects.checkFromToIndex(0, n, keys.length);
    if (n == 0) {
      return 0;
    }
    // Flipping the sign bit maps unsigned order onto signed order, so the primitive sort applies.
    for (int i = 0; i < n; i++) {
      keys[i] ^= Long.MIN_VALUE;
    }
    Arrays.sort(keys, 0, n);
    int count = 1;
    keys[0] ^= Long.MIN_VALUE;
    long prev = keys[0];
    for (int i = 1; i < n; i++) {
      long k = keys[i] ^ Long.MIN_VALUE;
      if (k != prev) {
        keys[count++] = k;
        prev = k;
      }
    }
    return count;
  }

  /** Whether {@code keys[from, to)} is strictly increasing in unsigned order. */
  public static boolean isSortedUnique(long[] keys, int from, int to) {
    Objects.checkFromToIndex(from, to, keys.length);
    for (int i = from + 1; i < to; i++) {
      if (Long.compareUnsigned(keys[i - 1], keys[i]) >= 0) {
        return false;
      }
    }
    return true;
  }

  /** The first index i in [from, to) with keys[i] >= key (unsigned), or to; keys[from, to) sorted. */
  public static int lowerBound(long[] keys, int from, int to, long key) {
    int lo = from;
    int hi = to;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (Long.compareUnsigned(keys[mid], key) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** The index of key in keys[from, to) (sorted unsigned, unique), or -1 when absent. */
  public static int indexOf(long[] keys, int from, int to, long key) {
    int i = lowerBound(keys, from, to, key);
    return i < to && keys[i] == key ? i : -1;
  }

  /**
   * murmur3's 64-bit finaliser (fmix64): a bijection that spreads runs of sequential keys, for
   * the open-addressing tables keyed by parameter keys.
   */
  public static long mix(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }
}
