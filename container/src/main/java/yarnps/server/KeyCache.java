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
  private final LinkedHashMap<Id, long[]> map = new LinkedHashMap<>(64, 0.75f, true);
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
  long[] get(int worker, long signature, int numKeys) {
    long[] keys;
    synchronized (this) {
      keys = map.get(new Id(worker, signature));
    }
    if (keys == null || keys.length != numKeys) {
      misses.increment();
      return null;
    }
    hits.increment();
    return keys;
  }

  /** Caches keys (which the cache then owns) unless they alone exceed the bound. */
  void put(int worker, long signature, long[] keys) {
    long size = cost(keys);
    if (size > maxBytes) {
      return;
    }
    synchronized (this) {
      long[] old = map.put(new Id(worker, signature), keys);
      bytes += size - (old == null ? 0 : cost(old));
      Iterator<Map.Entry<Id, long[]>> it = map.entrySet().iterator();
      while (bytes > maxBytes && it.hasNext()) {
        Map.Entry<Id, long[]> e = it.next();
        if (e.getValue() == keys) {
          continue;
        }
        bytes -= cost(e.getValue());
        it.remove();
        evictions.increment();
      }
    }
    inserts.increment();
  }

  /** Whether a list with this id is cached (no recency update); for tests. */
  synchronized boolean contains(int worker, long signature) {
    return map.containsKey(new Id(worker, signature));
  }

  synchronized int entries() {
    return map.size();
  }

  synchronized long bytes() {
    return bytes;
  }

  private static long cost(long[] keys) {
    return 8L * keys.length + ENTRY_OVERHEAD;
  }
}
