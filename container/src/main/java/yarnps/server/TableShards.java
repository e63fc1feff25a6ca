package yarnps.server;

import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import yarnps.common.KeyLayout;
import yarnps.common.Replicas;
import yarnps.conf.TableSpec;
import yarnps.server.store.SparseTable;
import yarnps.server.store.Updater;
import yarnps.server.store.Updaters;
import yarnps.thrift.PsError;
import yarnps.rpc.Errors;

/**
 * One table's shards on one server: a {@link SparseTable} and a lock per key range of the layout
 * that this server holds, as primary (it owns the range) or as a replica (chain replication, see
 * {@link Replicas}). A request's sorted keys are cut into runs by range; every run is checked
 * before any is applied, so a request with a key of another server changes nothing.
 */
final class TableShards {
  private final TableSpec spec;
  private final KeyLayout layout;
  private final int self;
  /** This table's number among the job's tables. */
  private final int ordinal;
  private final SparseTable[] shards;
  private final ReentrantLock[] locks;
  /** Ranges held as replica (their shards exist too). */
  private final boolean[] replica;
  final LongAdder pushes = new LongAdder();
  final LongAdder pulls = new LongAdder();
  final LongAdder keysPushed = new LongAdder();
  final LongAdder keysPulled = new LongAdder();

  TableShards(TableSpec spec, KeyLayout layout, int self, int ordinal) {
    this(spec, new Replicas(layout, 0), self, ordinal);
  }

  /** Shards of the ranges self owns and of those it replicates under replicas. */
  TableShards(TableSpec spec, Replicas replicas, int self, int ordinal) {
    KeyLayout layout = replicas.layout();
    this.spec = spec;
    this.ordinal = ordinal;
    this.layout = layout;
    this.self = self;
    this.shards = new SparseTable[layout.numRanges()];
    this.locks = new ReentrantLock[layout.numRanges()];
    this.replica = new boolean[layout.numRanges()];
    for (int r = 0; r < layout.numRanges(); r++) {
      replica[r] = replicas.isReplica(r, self);
      if (layout.owner(r) == self || replica[r]) {
        Updater updater = Updaters.create(spec);
        shards[r] = new SparseTable(spec.width(), updater, spec.initializer(), 1024);
        locks[r] = new ReentrantLock();
      }
    }
  }

  TableSpec spec() {
    return spec;
  }

  int ordinal() {
    return ordinal;
  }

  int numRanges() {
    return layout.numRanges();
  }

  int width() {
    return spec.width();
  }

  /**
   * Cuts keys[0, n) into runs of one range each: runs[3i] = range, runs[3i+1] = from, runs[3i+2] = to.
   * Returns the number of runs, or throws WRONG_SERVER naming the first key this server does not hold
   * (as primary or replica; see {@link #checkRole}).
   */
  int runs(long[] keys, int n, int[] runs) throws PsError {
    int count = 0;
    int i = 0;
    while (i < n) {
      int r = layout.rangeOf(keys[i]);
      if (shards[r] == null) {
        throw Errors.wrongServer("key " + Long.toUnsignedString(keys[i]) + " of table " + spec.name()
            + " is held by server " + layout.owner(r) + ", not server " + self
            + " (layout version " + layout.version() + ")");
      }
      long limit = layout.rangeLimit(r);
      int j = limit == 0 ? n : firstAtOrAbove(keys, i, n, limit);
      runs[3 * count] = r;
      runs[3 * count + 1] = i;
      runs[3 * count + 2] = j;
      count++;
      i = j;
    }
    return count;
  }

  /**
   * Refuses with WRONG_SERVER a request whose runs are not all in the role it needs: a worker's
   * push or pull only ranges this server owns, a forwarded (replica) push only ranges it replicates.
   */
  void checkRole(long[] keys, int[] runs, int numRuns, boolean asReplica) throws PsError {
    for (int k = 0; k < numRuns; k++) {
      int r = runs[3 * k];
      if (replica[r] != asReplica) {
        throw Errors.wrongServer("key " + Long.toUnsignedString(keys[runs[3 * k + 1]]) + " of table " + spec.name()
            + " is in range " + r + " of server " + layout.owner(r) + ", of which server " + self + " holds "
            + (replica[r] ? "a replica only" : "the primary") + " (layout version " + layout.version() + ")");
      }
    }
  }

  /** Whether this server holds range r (as primary or replica). */
  boolean holds(int r) {
    return shards[r] != null;
  }

  /** Whether this server holds range r as a replica. */
  boolean isReplica(int r) {
    return replica[r];
  }

  /** Rows copied from one range: keys[0, n) ascending (unsigned), full rows of stride floats each. */
  record Page(long[] keys, float[] rows, int n, int stride) {}

  /**
   * Copies of at most maxRows rows of range r with keys above afterKey (unsigned; every key when
   * first), the smallest first, taken under the range's lock. Fewer than maxRows rows means the
   * range's end was reached.
   */
  Page page(int r, long afterKey, boolean first, int maxRows) {
    SparseTable shard = shards[r];
    int stride = shard.stride();
    locks[r].lock();
    try {
      long[] above = new long[(int) Math.min(Integer.MAX_VALUE - 8, shard.size())];
      int[] count = {0};
      shard.forEach((key, data, off) -> {
        if (first || Long.compareUnsigned(key, afterKey) > 0) {
          above[count[0]++] = key ^ Long.MIN_VALUE;
        }
      });
      int n = count[0];
      java.util.Arrays.sort(above, 0, n);
      int take = Math.min(n, maxRows);
      long[] keys = new long[take];
      for (int i = 0; i < take; i++) {
        keys[i] = above[i] ^ Long.MIN_VALUE;
      }
      float[] rows = new float[Math.multiplyExact(take, stride)];
      if (take > 0) {
        long last = keys[take - 1];
        shard.forEach((key, data, off) -> {
          if ((first || Long.compareUnsigned(key, afterKey) > 0) && Long.compareUnsigned(key, last) <= 0) {
            int at = yarnps.common.KeyArrays.lowerBound(keys, 0, take, key);
            System.arraycopy(data, off, rows, at * stride, stride);
          }
        });
      }
      return new Page(keys, rows, take, stride);
    } finally {
      locks[r].unlock();
    }
  }

  /** Stores full rows (stride floats each) into range r, as copied from a peer. */
  void putRows(int r, long[] keys, float[] rows, int n) {
    SparseTable shard = shards[r];
    int stride = shard.stride();
    locks[r].lock();
    try {
      for (int i = 0; i < n; i++) {
        shard.putRow(keys[i], rows, i * stride);
      }
    } finally {
      locks[r].unlock();
    }
  }

  /** Floats per stored row (weights and updater state). */
  int stride() {
    for (SparseTable t : shards) {
      if (t != null) {
        return t.stride();
      }
    }
    return spec.width();
  }

  /** What to do with one run of keys, [from, to), in the shard of its range. */
  @FunctionalInterface
  private interface RunOp {
    void apply(SparseTable shard, int from, int to);
  }

  /** Applies op to every run computed by {@link #runs}, each under its range's lock. */
  private void forEachRun(int[] runs, int numRuns, RunOp op) {
    for (int k = 0; k < numRuns; k++) {
      int r = runs[3 * k];
      ReentrantLock lock = locks[r];
      lock.lock();
      try {
        op.apply(shards[r], runs[3 * k + 1], runs[3 * k + 2]);
      } finally {
        lock.unlock();
      }
    }
  }

  /** Applies values (width per key) to keys whose runs were computed by {@link #runs}. */
  void push(long[] keys, float[] values, int[] runs, int numRuns, int n) {
    int w = spec.width();
    forEachRun(runs, numRuns, (shard, from, to) -> shard.push(keys, from, to, values, from * w));
    pushes.increment();
    keysPushed.add(n);
  }

  /** Reads the weights of keys whose runs were computed by {@link #runs} into out (width per key). */
  void pull(long[] keys, float[] out, int[] runs, int numRuns, int n) {
    int w = spec.width();
    forEachRun(runs, numRuns, (shard, from, to) -> shard.pull(keys, from, to, out, from * w));
    pulls.increment();
    keysPulled.add(n);
  }

  /** What to do with one run of a cached key list, [from, to), given its fresh row slots. */
  @FunctionalInterface
  private interface SlotOp {
    void apply(SparseTable shard, int[] slots, int from, int to);
  }

  /**
   * Applies op to every run of a cached key list, each under its range's lock, after refreshing
   * the run's row slots if its shard changed since they were looked up.
   */
  private void forEachCachedRun(long[] keys, int[] runs, int numRuns, KeyCache.SlotCache cache, SlotOp op) {
    for (int k = 0; k < numRuns; k++) {
      int r = runs[3 * k];
      int from = runs[3 * k + 1];
      int to = runs[3 * k + 2];
      ReentrantLock lock = locks[r];
      lock.lock();
      try {
        refreshSlots(shards[r], keys, from, to, cache, k);
        op.apply(shards[r], cache.slots, from, to);
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * As {@link #push}, for a cached key list: each run's row slots are looked up once and reused
   * while its shard's structure is unchanged (no key inserted, no rehash), so a repeated push of
   * the same keys neither hashes nor probes.
   */
  void push(long[] keys, float[] values, int[] runs, int numRuns, int n, KeyCache.SlotCache cache) {
    int w = spec.width();
    forEachCachedRun(keys, runs, numRuns, cache,
        (shard, slots, from, to) -> shard.pushSlots(slots, from, to - from, keys, from, values, from * w));
    pushes.increment();
    keysPushed.add(n);
  }

  /** As {@link #pull}, for a cached key list (see the cached push). */
  void pull(long[] keys, float[] out, int[] runs, int numRuns, int n, KeyCache.SlotCache cache) {
    int w = spec.width();
    forEachCachedRun(keys, runs, numRuns, cache,
        (shard, slots, from, to) -> shard.pullSlots(slots, from, to - from, keys, from, out, from * w));
    pulls.increment();
    keysPulled.add(n);
  }

  /** Recomputes run k's slots if its shard changed since; the caller holds the run's lock. */
  private static void refreshSlots(SparseTable shard, long[] keys, int from, int to, KeyCache.SlotCache cache,
      int k) {
    int v = shard.structureVersion();
    if (!cache.valid[k] || cache.versions[k] != v) {
      shard.slotsOf(keys, from, to, cache.slots, from);
      cache.versions[k] = v;
      cache.valid[k] = true;
    }
  }

  /** Visits every stored row of the ranges this server owns, one range at a time under that range's lock. */
  void forEachRow(SparseTable.RowVisitor visitor) {
    for (int r = 0; r < shards.length; r++) {
      if (shards[r] == null || replica[r]) {
        continue;
      }
      locks[r].lock();
      try {
        shards[r].forEach(visitor);
      } finally {
        locks[r].unlock();
      }
    }
  }

  /** The ranges this server holds as primary (the layout's owner), in range order. */
  int[] primaryRanges() {
    int n = 0;
    int[] out = new int[shards.length];
    for (int r = 0; r < shards.length; r++) {
      if (shards[r] != null && layout.owner(r) == self) {
        out[n++] = r;
      }
    }
    return java.util.Arrays.copyOf(out, n);
  }

  /** Every range this server holds a shard of, in range order. */
  int[] heldRanges() {
    int n = 0;
    int[] out = new int[shards.length];
    for (int r = 0; r < shards.length; r++) {
      if (shards[r] != null) {
        out[n++] = r;
      }
    }
    return java.util.Arrays.copyOf(out, n);
  }

  /** Reads one range's table, see {@link #readRange}. */
  @FunctionalInterface
  interface RangeReader {
    long read(SparseTable shard) throws java.io.IOException;
  }

  /**
   * Runs reader on range r's table under the range's lock (pushes and pulls of the range wait),
   * and returns what it returns.
   */
  long readRange(int r, RangeReader reader) throws java.io.IOException {
    SparseTable shard = shards[r];
    if (shard == null) {
      throw new IllegalArgumentException("server " + self + " holds no range " + r + " of table " + spec.name());
    }
    locks[r].lock();
    try {
      return reader.read(shards[r]);
    } finally {
      locks[r].unlock();
    }
  }

  /** Fills a fresh table of one range, see {@link #replaceRange}. */
  @FunctionalInterface
  interface RangeLoader {
    long load(SparseTable fresh) throws java.io.IOException;
  }

  /**
   * Replaces range r's table by a new, empty one (sized for expectedKeys) that loader fills first;
   * if loader throws, the range keeps its table. Returns what loader returns.
   */
  long replaceRange(int r, long expectedKeys, RangeLoader loader) throws java.io.IOException {
    if (shards[r] == null) {
      throw new IllegalArgumentException("server " + self + " holds no range " + r + " of table " + spec.name());
    }
    SparseTable fresh = new SparseTable(spec.width(), Updaters.create(spec), spec.initializer(),
        (int) Math.min(Math.max(0, expectedKeys), 1 << 26));
    long loaded = loader.load(fresh);
    locks[r].lock();
    try {
      shards[r] = fresh;
    } finally {
      locks[r].unlock();
    }
    return loaded;
  }

  KeyLayout layout() {
    return layout;
  }

  long size() {
    long s = 0;
    for (SparseTable t : shards) {
      if (t != null) {
        s += t.size();
      }
    }
    return s;
  }

  long memoryBytes() {
    long s = 0;
    for (SparseTable t : shards) {
      if (t != null) {
        s += t.memoryBytes();
      }
    }
    return s;
  }

  /** First index in [from, to) whose key is >= limit (unsigned); keys are sorted. */
  private static int firstAtOrAbove(long[] keys, int from, int to, long limit) {
    return yarnps.common.KeyArrays.lowerBound(keys, from, to, limit);
  }
}
