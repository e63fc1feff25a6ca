package yarnps.server;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Vector clocks over key ranges: for every key range of this server that has been pushed to, the
 * clock of each worker's latest push into it (-1 for none). Kept per range, not per key, and
 * allocated on a range's first push, so the cost grows with the ranges touched times the workers.
 * Checkpoints and recovery read it to tell which pushes a shard includes.
 */
final class RangeClocks {
  private final int workers;
  private final AtomicReferenceArray<AtomicLongArray> ranges;

  RangeClocks(int numRanges, int workers) {
    this.workers = workers;
    this.ranges = new AtomicReferenceArray<>(numRanges);
  }

  /** Records a push of worker at clock into range r. */
  void pushed(int r, int worker, long clock) {
    if (worker < 0 || worker >= workers) {
      return;
    }
    AtomicLongArray v = ranges.get(r);
    if (v == null) {
      AtomicLongArray fresh = new AtomicLongArray(workers);
      for (int w = 0; w < workers; w++) {
        fresh.set(w, -1);
      }
      v = ranges.compareAndSet(r, null, fresh) ? fresh : ranges.get(r);
    }
    long seen;
    while ((seen = v.get(worker)) < clock && !v.compareAndSet(worker, seen, clock)) {
      Thread.onSpinWait();
    }
  }

  /** The vector clock of range r: per worker the clock of its latest push, -1 for none. */
  long[] of(int r) {
    long[] out = new long[workers];
    AtomicLongArray v = ranges.get(r);
    for (int w = 0; w < workers; w++) {
      out[w] = v == null ? -1 : v.get(w);
    }
    return out;
  }

  /** Ranges that have a vector clock (have been pushed to). */
  int touched() {
    int n = 0;
    for (int r = 0; r < ranges.length(); r++) {
      if (ranges.get(r) != null) {
        n++;
      }
    }
    return n;
  }
}
