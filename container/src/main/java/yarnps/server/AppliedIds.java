package yarnps.server;

import java.util.ArrayList;
import java.util.List;

/**
 * Which pushes a server has applied, so that a resent push (a worker retrying after a lost
 * connection or a replaced server, or a replaced worker replaying a clock) is acknowledged without
 * being applied twice.
 *
 * <p>A push is named by (worker, requestId, part): the worker's requestId is {@code clock << 24 |
 * sequence of the push within the clock} and part the slice of its call. One request can cover
 * several key ranges, and after a lost server some of them may have been stored and others not,
 * so an id is remembered per range the request touched: an entry is {@code seq << 40 | part << 24
 * | range}, kept in an open-addressing set of longs per (worker, clock). No object per key, one
 * long per (request, range).
 *
 * <p>Pruning: per worker, the sets of the last {@value #CLOCKS} clocks seen are kept; a push of a
 * clock below the worker's clock as this server knows it (every push below it was acknowledged)
 * is a duplicate by definition, and one older than the window but not below that clock is unknown
 * and treated as new (counted, see {@link #unknown}).
 */
final class AppliedIds {
  static final int CLOCKS = 16;
  private static final int SEQ_BITS = 24;
  private static final long EMPTY = -1L;

  private final Worker[] workers;
  /** Pushes older than the window and not below the worker's clock: applied as new. */
  final java.util.concurrent.atomic.LongAdder unknown = new java.util.concurrent.atomic.LongAdder();

  AppliedIds(int numWorkers) {
    workers = new Worker[numWorkers];
    for (int w = 0; w < numWorkers; w++) {
      workers[w] = new Worker();
    }
  }

  /** The entry of (requestId's sequence, part, range). */
  static long entry(long requestId, int part, int range) {
    return (requestId & ((1L << SEQ_BITS) - 1)) << 40 | (long) (part & 0xFFFF) << 24 | (range & 0xFFFFFF);
  }

  static long clockOf(long requestId) {
    return requestId >>> SEQ_BITS;
  }

  /**
   * Marks the ranges of a push as applied and returns, per run, whether it is new: runs[3i] is a
   * range (the layout of {@link TableShards#runs}); isNew[i] is set true for runs not seen before.
   * Returns the number of new runs. A request without an id (requestId < 0) is always new.
   *
   * @param workerClock the worker's clock as this server knows it
   */
  int mark(int worker, long requestId, int part, long workerClock, int[] runs, int numRuns, boolean[] isNew) {
    if (requestId < 0 || worker < 0 || worker >= workers.length) {
      java.util.Arrays.fill(isNew, 0, numRuns, true);
      return numRuns;
    }
    long clock = clockOf(requestId);
    if (clock < workerClock) {
      java.util.Arrays.fill(isNew, 0, numRuns, false);
      return 0;
    }
    Worker w = workers[worker];
    synchronized (w) {
      LongSet set = w.forClock(clock, true);
      if (set == null) {
        unknown.increment();
        java.util.Arrays.fill(isNew, 0, numRuns, true);
        return numRuns;
      }
      int fresh = 0;
      for (int i = 0; i < numRuns; i++) {
        isNew[i] = set.add(entry(requestId, part, runs[3 * i]));
        if (isNew[i]) {
          fresh++;
        }
      }
      return fresh;
    }
  }

  /** Whether (worker, requestId, part) was applied for range; for tests. */
  boolean contains(int worker, long requestId, int part, int range) {
    Worker w = workers[worker];
    synchronized (w) {
      LongSet set = w.forClock(clockOf(requestId), false);
      return set != null && set.contains(entry(requestId, part, range));
    }
  }

  /** Forgets everything (a restore to a checkpoint). */
  void clear() {
    for (Worker w : workers) {
      synchronized (w) {
        w.clear();
      }
    }
  }

  /**
   * One worker's entries, for another server to copy: for every clock held, -(clock + 1) and then
   * the clock's entries (all of them >= 0 as sequences stay below 2^23).
   */
  List<Long> export(int worker) {
    List<Long> out = new ArrayList<>();
    Worker w = workers[worker];
    synchronized (w) {
      for (int i = 0; i < CLOCKS; i++) {
        LongSet s = w.sets[i];
        if (s != null && s.size > 0) {
          out.add(-(w.clocks[i] + 1));
          s.forEach(out::add);
        }
      }
    }
    return out;
  }

  /**
   * Adds the entries of {@link #export} from a peer, keeping only those of ranges this server
   * holds (keep[range]).
   */
  void importFrom(int worker, List<Long> entries, boolean[] keep) {
    if (worker < 0 || worker >= workers.length) {
      throw new IllegalArgumentException("peer state names worker " + worker + " of " + workers.length);
    }
    Worker w = workers[worker];
    synchronized (w) {
      LongSet set = null;
      boolean inClock = false;
      for (long e : entries) {
        if (e < 0) {
          // null when the clock is older than this server's window (another peer's entries, merged
          // first, moved it on): those entries are skipped, as for a push that old.
          set = w.forClock(-e - 1, true);
          inClock = true;
        } else if (!inClock) {
          throw new IllegalArgumentException("peer state of worker " + worker + " has an entry before its clock");
        } else if (set != null) {
          int range = (int) (e & 0xFFFFFF);
          if (range < keep.length && keep[range]) {
            set.add(e);
          }
        }
      }
    }
  }

  /** The window of one worker: set i holds clock clocks[i] (clock % CLOCKS == i). */
  private static final class Worker {
    final long[] clocks = new long[CLOCKS];
    final LongSet[] sets = new LongSet[CLOCKS];
    long newest = -1;

    /** The set of clock, created (dropping what the slot held) if create; null when out of the window. */
    LongSet forClock(long clock, boolean create) {
      int i = (int) (clock % CLOCKS);
      if (sets[i] != null && clocks[i] == clock) {
        return sets[i];
      }
      if (!create || clock <= newest - CLOCKS) {
        return null;
      }
      if (sets[i] == null) {
        sets[i] = new LongSet();
      } else {
        sets[i].clear();
      }
      clocks[i] = clock;
      newest = Math.max(newest, clock);
      return sets[i];
    }

    void clear() {
      java.util.Arrays.fill(sets, null);
      newest = -1;
    }
  }

  /** An open-addressing set of longs, EMPTY (-1) marking free slots. */
  static final class LongSet {
    private long[] slots = newSlots(64);
    int size;

    private static long[] newSlots(int n) {
      long[] a = new long[n];
      java.util.Arrays.fill(a, EMPTY);
      return a;
    }

    boolean add(long v) {
      if (v == EMPTY) {
        throw new IllegalArgumentException("entry -1 is reserved");
      }
      if (2 * (size + 1) > slots.length) {
        long[] old = slots;
        slots = newSlots(old.length * 2);
        for (long o : old) {
          if (o != EMPTY) {
            insert(o);
          }
        }
      }
      if (insert(v)) {
        size++;
        return true;
      }
      return false;
    }

    private boolean insert(long v) {
      int mask = slots.length - 1;
      int i = (int) (yarnps.common.KeyArrays.mix(v) & mask);
      while (slots[i] != EMPTY) {
        if (slots[i] == v) {
          return false;
        }
        i = (i + 1) & mask;
      }
      slots[i] = v;
      return true;
    }

    boolean contains(long v) {
      int mask = slots.length - 1;
      int i = (int) (yarnps.common.KeyArrays.mix(v) & mask);
      while (slots[i] != EMPTY) {
        if (slots[i] == v) {
          return true;
        }
        i = (i + 1) & mask;
      }
      return false;
    }

    void forEach(java.util.function.LongConsumer c) {
      for (long v : slots) {
        if (v != EMPTY) {
          c.accept(v);
        }
      }
    }

    void clear() {
      if (slots.length > 1024) {
        slots = newSlots(64);
      } else {
        java.util.Arrays.fill(slots, EMPTY);
      }
      size = 0;
    }
  }
}
