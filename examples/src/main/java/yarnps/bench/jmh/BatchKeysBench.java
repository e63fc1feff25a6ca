package yarnps.bench.jmh;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import yarnps.common.KeyArrays;
import yarnps.common.KeyIndexer;

/**
 * A worker's per-minibatch key work: the sorted unique keys of a batch and, for every feature
 * occurrence, the index of its key among them. Batches are shaped like the demo's click logs:
 * {@link #ROWS} rows of {@link #FIELDS} fields, each field's value Zipf(1.1) over {@code vocab}
 * values, mixed into a 64-bit feature id, plus the bias key 0. {@code current} is
 * {@link KeyIndexer}; {@code baseline} is the way the LR example did it before: sort a copy of
 * every occurrence, then binary-search each occurrence back. Scores are ns per occurrence; 8
 * different batches rotate so the caches see new keys as in training.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(BatchKeysBench.ROWS * BatchKeysBench.FIELDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgs = {"-Xmx512m"})
public class BatchKeysBench {
  static final int ROWS = 500;
  static final int FIELDS = 20;
  private static final int BATCHES = 8;

  @Param({"10000", "1000000"})
  public int vocab;

  @Param({"current", "baseline"})
  public String method;

  private long[][] batches;
  private int next;
  private final int[] slot = new int[ROWS * FIELDS];
  private final long[] scratch = new long[ROWS * FIELDS + 1];
  private final KeyIndexer indexer = new KeyIndexer();

  @Setup(Level.Trial)
  public void setUp() {
    double[] cdf = new double[vocab];
    double sum = 0;
    for (int v = 0; v < vocab; v++) {
      sum += 1 / Math.pow(v + 1, 1.1);
      cdf[v] = sum;
    }
    SplittableRandom rnd = new SplittableRandom(5);
    batches = new long[BATCHES][ROWS * FIELDS];
    for (long[] b : batches) {
      for (int i = 0; i < b.length; i++) {
        int v = java.util.Arrays.binarySearch(cdf, rnd.nextDouble() * sum);
        v = v < 0 ? -v - 1 : v;
        b[i] = KeyArrays.mix((long) (i % FIELDS) << 32 | v) & Long.MAX_VALUE | 1;
      }
    }
  }

  @Benchmark
  public void prepare(Blackhole bh) {
    long[] occ = batches[next++ & (BATCHES - 1)];
    int m = occ.length;
    long[] keys;
    int bias;
    if (method.equals("current")) {
      indexer.begin(m + 1);
      for (int i = 0; i < m; i++) {
        slot[i] = indexer.add(occ[i]);
      }
      int biasId = indexer.add(0);
      keys = indexer.finish();
      for (int i = 0; i < m; i++) {
        slot[i] = indexer.position(slot[i]);
      }
      bias = indexer.position(biasId);
    } else {
      System.arraycopy(occ, 0, scratch, 0, m);
      scratch[m] = 0;
      int n = KeyArrays.sortUnique(scratch, m + 1);
      keys = java.util.Arrays.copyOf(scratch, n);
      for (int i = 0; i < m; i++) {
        slot[i] = KeyArrays.indexOf(keys, 0, n, occ[i]);
      }
      bias = KeyArrays.indexOf(keys, 0, n, 0);
    }
    bh.consume(keys);
    bh.consume(bias);
    bh.consume(slot);
  }
}
