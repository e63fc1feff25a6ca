package yarnps.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import yarnps.common.KeyArrays;

/** The request shapes of the push/pull benchmark; table {@code w}, one float per key. */
enum BenchCase {
  /** 1,000,000 contiguous keys 0..999,999 per request. */
  DENSE_1M("dense1M", 1_000_000, 1, Op.PUSH, Op.PULL, Op.PUSHPULL),
  /** 100,000 random keys below 2^40 per request, sorted unique. */
  SPARSE_100K("sparse100k", 100_000, 1, Op.PUSH, Op.PULL, Op.PUSHPULL),
  /** 1,000 random keys below 2^40, one request at a time per worker: latency. */
  SMALL_1K("small1k", 1_000, 1, Op.PUSH, Op.PULL),
  /** As small1k with 16 requests in flight per worker. */
  SMALL_1K_X16("small1k_x16", 1_000, 16, Op.PUSH, Op.PULL);

  /** What one benchmark operation does. */
  enum Op {
    PUSH(1),
    PULL(1),
    /** A push, then a pull of the same keys once the push is acknowledged. */
    PUSHPULL(2);

    /** Value blocks moved per operation. */
    final int valueBlocks;

    Op(int valueBlocks) {
      this.valueBlocks = valueBlocks;
    }

    String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  static final String TABLE = "w";

  final String id;
  final int keysPerOp;
  final int inFlight;
  final List<Op> ops;

  BenchCase(String id, int keysPerOp, int inFlight, Op... ops) {
    this.id = id;
    this.keysPerOp = keysPerOp;
    this.inFlight = inFlight;
    this.ops = List.of(ops);
  }

  static BenchCase byId(String id) {
    for (BenchCase c : values()) {
      if (c.id.equalsIgnoreCase(id.trim())) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown case '" + id + "' (cases: "
        + Arrays.stream(values()).map(c -> c.id).toList() + ")");
  }

  /** Value bytes one operation moves (float32 per key and value block). */
  long valueBytesPerOp(Op op) {
    return (long) keysPerOp * Float.BYTES * op.valueBlocks;
  }

  /**
   * The keys worker {@code worker} sends, sorted ascending and unique: the same dense keys for
   * every worker, random keys of its own otherwise.
   */
  long[] keys(int worker, long seed) {
    if (this == DENSE_1M) {
      long[] k = new long[keysPerOp];
      for (int i = 0; i < k.length; i++) {
        k[i] = i;
      }
      return k;
    }
    return randomKeys(keysPerOp, new SplittableRandom(seed * 31 + worker * 1_000_003L + ordinal()));
  }

  /** n distinct random keys below 2^SPARSE_BITS, sorted. */
  static long[] randomKeys(int n, SplittableRandom rnd) {
    long bound = 1L << BenchLayout.SPARSE_BITS;
    long[] k = new long[n];
    int have = 0;
    while (have < n) {
      for (int i = have; i < n; i++) {
        k[i] = rnd.nextLong(bound);
      }
      have = KeyArrays.sortUnique(k, n);
    }
    return k;
  }
}
