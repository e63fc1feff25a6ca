package yarnps.bench.jmh;

import java.util.Arrays;
import java.util.SplittableRandom;
import yarnps.conf.Initializer;
import yarnps.conf.TableKeys.UpdaterKind;
import yarnps.conf.TableSpec;

/** Inputs shared by the benchmarks: the table spec and key sets, the same in every run. */
final class BenchData {
  private BenchData() {}

  /** Keys per pushed or pulled batch: a request's run of keys in one key range. */
  static final int BATCH = 1000;

  /** A width-1 table with the {@code add} updater and zero initializer, as the LR example has. */
  static TableSpec widthOneAdd() {
    return new TableSpec("w", 1, UpdaterKind.ADD, new Initializer.Spec(Initializer.Kind.ZERO, 0),
        0.1, 0, 0, 0.1, 1, 1e-6);
  }

  /** {@code n} distinct random keys below 2^40 (hashed features), in random order. */
  static long[] randomKeys(int n, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    long[] keys = new long[n];
    int have = 0;
    while (have < n) {
      for (int i = have; i < n; i++) {
        keys[i] = rnd.nextLong(1L << 40);
      }
      long[] sorted = keys.clone();
      Arrays.sort(sorted);
      have = 0;
      for (int i = 0; i < n; i++) {
        if (i == 0 || sorted[i] != sorted[i - 1]) {
          sorted[have++] = sorted[i];
        }
      }
      System.arraycopy(sorted, 0, keys, 0, have);
    }
    shuffle(keys, rnd);
    return keys;
  }

  /** {@code n} draws, with repeats, from {@code keys}: the key stream that batches are cut from. */
  static long[] sample(long[] keys, int n, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      out[i] = keys[rnd.nextInt(keys.length)];
    }
    return out;
  }

  private static void shuffle(long[] a, SplittableRandom rnd) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      long t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
