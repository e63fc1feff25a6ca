package yarnps.common;

import java.util.Arrays;

/**
 * Deduplicates the keys of a minibatch and gives every occurrence the index of its key among the
 * batch's sorted unique keys, which is what a worker needs to pull the batch's parameters once and
 * address them by position while computing.
 *
 * <p>The obvious way, sorting every occurrence and binary-searching each one back, costs
 * O(m log m) for m occurrences with a cache miss per search step. This hashes the occurrences
 * into an open-addressing table (O(m) expected), sorts only the u distinct keys, and maps the
 * ids back with one probe per distinct key. The table, stamped with a batch generation instead of
 * being cleared, and the arrays are reused from batch to batch: no allocation per batch apart from
 * the exact-length key array that {@link #finish} returns (the parameter client sends it whole).
 *
 * <p>Use per batch: {@link #begin}, {@link #add} for every occurrence (keep the ids it returns),
 * {@link #finish}, then {@link #position} of each id. Not thread-safe.
 */
public final class KeyIndexer {
  private long[] tableKeys = new long[0];
  private int[] tableIds = new int[0];
  private int[] stamps = new int[0];
  private int mask;
  private int generation;
  private long[] distinct = new long[64];
  private int[] positions = new int[64];
  private int count;
  private int limit;

  /** Starts a batch of at most maxKeys occurrences (distinct or not). */
  public void begin(int maxKeys) {
    if (maxKeys < 0) {
      throw new IllegalArgumentException("a batch of " + maxKeys + " keys");
    }
    // At most half full, so probes stay short.
    int capacity = Integer.highestOneBit(Math.max(8, maxKeys) * 2 - 1) << 1;
    if (tableKeys.length < capacity) {
      tableKeys = new long[capacity];
      tableIds = new int[capacity];
      stamps = new int[capacity];
      mask = capacity - 1;
      generation = 0;
    }
    if (++generation == 0) {
      // Wrapped after 2^32 batches: old stamps could match again.
      Arrays.fill(stamps, 0);
      generation = 1;
    }
    if (distinct.length < maxKeys) {
      int n = Math.max(maxKeys, distinct.length * 2);
      distinct = new long[n];
      positions = new int[n];
    }
    count = 0;
    limit = maxKeys;
  }

  /** The id of key in this batch: 0, 1, ... in order of first occurrence. */
  public int add(long key) {
    int i = (int) KeyArrays.mix(key) & mask;
    int gen = generation;
    while (stamps[i] == gen) {
      if (tableKeys[i] == key) {
        return tableIds[i];
      }
      i = (i + 1) & mask;
    }
    if (count == limit) {
      throw new IllegalStateException("more than the " + limit + " keys announced to begin()");
    }
    stamps[i] = gen;
    tableKeys[i] = key;
    tableIds[i] = count;
    distinct[count] = key;
    return count++;
  }

  /** Distinct keys added so far. */
  public int size() {
    return count;
  }

  /**
   * The batch's distinct keys, ascending as unsigned longs, in a new array of exact length; after
   * it, {@link #position} maps an id from {@link #add} to its index in that array.
   */
  public long[] finish() {
    long[] sorted = Arrays.copyOf(distinct, count);
    KeyArrays.sortUnique(sorted, count);
    for (int p = 0; p < count; p++) {
      positions[idOf(sorted[p])] = p;
    }
    return sorted;
  }

  /** The index among {@link #finish}'s sorted keys of the key that {@link #add} gave this id. */
  public int position(int id) {
    return positions[id];
  }

  private int idOf(long key) {
    int i = (int) KeyArrays.mix(key) & mask;
    while (tableKeys[i] != key) {
      i = (i + 1) & mask;
    }
    return tableIds[i];
  }
}
