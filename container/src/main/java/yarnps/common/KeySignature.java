package yarnps.common;

import java.util.Objects;

/**
 * The 64-bit signature of a key list that workers and servers use to name a cached list (see
 * {@code keySignature} in {@code yarnps.thrift}).
 *
 * <p>Definition, so that any implementation computes the same value: XXH64 with seed 0 of the keys
 * {@code keys[from, to)} written in order as 8-byte little-endian words (the byte length, {@code 8 *
 * count}, is part of XXH64), except that a result of 0, which means "no signature" on the wire,
 * is replaced by {@link #ZERO_REPLACEMENT}. The keys need not be sorted here; the order counts.
 *
 * <p>XXH64 mixes every key with two multiplications into one of four independent lanes, so the
 * CPU runs the lanes in parallel, and ends in a full avalanche. For lists that are not built to
 * collide, two different lists share a signature with probability about 2^-64 per pair: around
 * 3e-8 among a million lists. It is not a cryptographic hash; a worker could collide its own lists
 * on purpose, which only corrupts its own pushes and pulls.
 *
 * <p>No allocation, no boxing: two multiplications per key, about two CPU cycles once compiled.
 */
public final class KeySignature {
  /** What {@link #of} returns where XXH64 gives 0: the 64-bit golden ratio, an arbitrary constant. */
  public static final long ZERO_REPLACEMENT = 0x9E3779B97F4A7C15L;

  private static final long P1 = 0x9E3779B185EBCA87L;
  private static final long P2 = 0xC2B2AE3D27D4EB4FL;
  private static final long P3 = 0x165667B19E3779F9L;
  private static final long P4 = 0x85EBCA77C2B2AE63L;
  private static final long P5 = 0x27D4EB2F165667C5L;

  private KeySignature() {}

  /**
   * The signature of {@code keys[from, to)}: never 0, equal for equal lists wherever they sit in
   * an array, and different (but for a ~2^-64 chance) when a key, the order or the count differs.
   *
   * @throws IndexOutOfBoundsException if {@code [from, to)} is not a range of {@code keys}
   */
  public static long of(long[] keys, int from, int to) {
    Objects.checkFromToIndex(from, to, keys.length);
    int i = from;
    long h;
    if (to - from >= 4) {
      long v1 = P1 + P2;
      long v2 = P2;
      long v3 = 0;
      long v4 = -P1;
      for (int end = to - 3; i < end; i += 4) {
        v1 = round(v1, keys[i]);
        v2 = round(v2, keys[i + 1]);
        v3 = round(v3, keys[i + 2]);
        v4 = round(v4, keys[i + 3]);
      }
      h = Long.rotateLeft(v1, 1) + Long.rotateLeft(v2, 7) + Long.rotateLeft(v3, 12)
          + Long.rotateLeft(v4, 18);
      h = merge(h, v1);
      h = merge(h, v2);
      h = merge(h, v3);
      h = merge(h, v4);
    } else {
      h = P5;
    }
    h += 8L * (to - from);
    for (; i < to; i++) {
      h ^= round(0, keys[i]);
      h = Long.rotateLeft(h, 27) * P1 + P4;
    }
    h ^= h >>> 33;
    h *= P2;
    h ^= h >>> 29;
    h *= P3;
    h ^= h >>> 32;
    return h == 0 ? ZERO_REPLACEMENT : h;
  }

  private static long round(long acc, long key) {
    return Long.rotateLeft(acc + key * P2, 31) * P1;
  }

  private static long merge(long h, long v) {
    return (h ^ round(0, v)) * P1 + P4;
  }
}
