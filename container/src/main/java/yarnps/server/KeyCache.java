package yarnps.server;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * A server's cache of decoded key lists, by the worker that sent them and their 64-bit
 * signature: a push or pull that names a cached list by signature sends no key block, and the
 * server skips decoding it. Bounded by {@code maxBytes} (8 bytes per key plus a small overhead per
 * entry); the least recently used lists are dropped first. Cached arrays are never changed after
 * insertion, so a caller may use one after the lookup without holding any lock.
 */
final class KeyCache {
  private static final long ENTRY_OVERHEAD = 96;

  private final long maxBytes;
  private final LinkedHashMap<Id, CachedKeys> map = new LinkedHashMap<>(64, 0.75f, true);
  private long bytes;
  final LongAdder hits = new LongAdder();
  final LongAdder misses = new LongAdder();
  final LongAdder inserts = new LongAdder();
  final LongAdder evictions = new LongAdder();
  /** Key-block bytes that did not travel thanks to a hit (the sender's would-be key block). */
  final LongAdder keyBytesSaved = new LongAdder();

  private record Id(int worker, long signature) {}

  KeyCache(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** The cached list, or null (a miss); numKeys must match the cached length. */
  CachedKeys get(int worker, long signature, int numKeys) {
    CachedKeys c;
    synchronized (this) {
      c = map.get(new Id(worker, signature));
    }
    if (c == null || c.keys.length != numKeys) {
      misses.increment();
      return null;
    }
    hits.increment();
    return c;
  }

  /**
   * Caches keys (which the cache then owns) unless they alone exceed the bound; returns the entry,
   * or null when not cached.
   */
  CachedKeys put(int worker, long signature, long[] keys, int tables) {
    CachedKeys c = new CachedKeys(keys, tables);
    long size = c.cost();
    if (size > maxBytes) {
      return null;
    }
    synchronized (this) {
      CachedKeys old = map.put(new Id(worker, signature), c);
      bytes += size - (old == null ? 0 : old.cost());
      Iterator<Map.Entry<Id, CachedKeys>> it = map.entrySet().iterator();
      while (bytes > maxBytes && it.hasNext()) {
        Map.Entry<Id, CachedKeys> e = it.next();
        if (e.getValue() == c) {
          continue;
        }
        bytes -= e.getValue().cost();
        it.remove();
        evictions.increment();
      }
    }
    inserts.increment();
    return c;
  }

  /**
   * Drops every cached list, as when the parameters were replaced by a restore: slots resolved
   * against the old tables must never meet the new ones.
   */
  synchronized void clear() {
    map.clear();
    bytes = 0;
  }

  synchronized int entries() {
    return map.size();
  }

  synchronized long bytes() {
    return bytes;
  }

  /**
   * A cached key list, and per table the row slots of its keys in the table's shards once a call
   * has used them (4 bytes per key and table, counted in the cache's bound up front).
   */
  static final class CachedKeys {
    final long[] keys;
    private final SlotCache[] slots;
    private int[] runs;
    private int numRuns;
    private long runsLayout = -1;

    CachedKeys(long[] keys, int tables) {
      this.keys = keys;
      this.slots = new SlotCache[tables];
    }

    long cost() {
      return (8L + 4L * slots.length) * keys.length + ENTRY_OVERHEAD;
    }

    /** The key runs per range for this layout (computed once; see TableShards.runs). */
    synchronized int[] runs(TableShards t, long layoutVersion) throws yarnps.thrift.PsError {
      if (runs == null || runsLayout != layoutVersion) {
        int[] r = new int[3 * Math.max(1, Math.min(keys.length, t.numRanges()))];
        numRuns = t.runs(keys, keys.length, r);
        runs = r;
        runsLayout = layoutVersion;
        // A new layout may come with new tables (a restore): slots of the old ones must not be reused.
        java.util.Arrays.fill(slots, null);
      }
      return runs;
    }

    synchronized int numRuns() {
      return numRuns;
    }

    /** The slot cache of table number t. */
    synchronized SlotCache slots(int t, int numRuns) {
      SlotCache c = slots[t];
      if (c == null || c.valid.length != numRuns) {
        c = new SlotCache(keys.length, numRuns);
        slots[t] = c;
      }
      return c;
    }
  }

  /**
   * Row slots of a key list's keys in one table: run k's slots are valid while its shard's
   * structure version equals versions[k]. Run k's entries are read and written only under the lock
   * of run k's range, so concurrent calls with the same list are safe.
   */
  static final class SlotCache {
    final int[] slots;
    final int[] versions;
    final boolean[] valid;

    SlotCache(int keys, int runs) {
      this.slots = new int[keys];
      this.versions = new int[runs];
      this.valid = new boolean[runs];
    }
  }
}
