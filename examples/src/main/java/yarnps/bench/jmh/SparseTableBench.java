package yarnps.bench.jmh;

import static yarnps.bench.jmh.BenchData.BATCH;

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
import yarnps.conf.TableSpec;
import yarnps.server.store.SparseTable;
import yarnps.server.store.Updaters;

/**
 * Push and pull of batches of {@link BenchData#BATCH} stored keys, drawn at random, on a width-1
 * {@code add} table pre-filled with {@code keys} random keys below 2^40; {@code pullMissing} pulls
 * keys that are not stored. {@code impl=current} is {@link SparseTable}, {@code impl=baseline} the
 * table before its 1.25x growth ({@link BaselineSparseTable}). Scores are ns per key.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(BATCH)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
public class SparseTableBench {

  /** Draws in the key stream: batches are cut from it in turn, wrapping around. */
  static final int STREAM = 1 << 20;

  /** 1500000: where the baseline runs 72% full, as opposed to 38% to 49% at the three others. */
  @Param({"1000", "100000", "1000000", "1500000"})
  public int keys;

  @Param({"current", "baseline"})
  public String impl;

  private SparseTable current;
  private BaselineSparseTable baseline;
  private long[] stream;
  private long[] missing;
  private final float[] values = new float[BATCH];
  private final float[] out = new float[BATCH];
  private int pos;

  @Setup(Level.Trial)
  public void setUp() {
    TableSpec spec = BenchData.widthOneAdd();
    long[] stored = BenchData.randomKeys(keys, 1);
    // 1024 slots to start with, as TableShards creates them: the table grows to its size.
    if (impl.equals("baseline")) {
      baseline = new BaselineSparseTable(1, Updaters.create(spec), spec.initializer(), 1024);
      baseline.push(stored, 0, keys, new float[keys], 0);
    } else if (impl.equals("current")) {
      current = new SparseTable(1, Updaters.create(spec), spec.initializer(), 1024);
      current.push(stored, 0, keys, new float[keys], 0);
    } else {
      throw new IllegalArgumentException("impl " + impl);
    }
    stream = BenchData.sample(stored, STREAM, 2);
    // Keys at or above 2^40 are never stored.
    missing = BenchData.randomKeys(STREAM, 3);
    for (int i = 0; i < STREAM; i++) {
      missing[i] |= 1L << 40;
    }
    java.util.Arrays.fill(values, 1e-3f);
  }

  private int next() {
    int p = pos;
    pos = p + BATCH <= STREAM - BATCH ? p + BATCH : 0;
    return p;
  }

  @Benchmark
  public void push() {
    int p = next();
    if (current != null) {
      current.push(stream, p, p + BATCH, values, 0);
    } else {
      baseline.push(stream, p, p + BATCH, values, 0);
    }
  }

  @Benchmark
  public float pull() {
    int p = next();
    if (current != null) {
      current.pull(stream, p, p + BATCH, out, 0);
    } else {
      baseline.pull(stream, p, p + BATCH, out, 0);
    }
    return out[BATCH - 1];
  }

  @Benchmark
  public float pullMissing() {
    int p = next();
    if (current != null) {
      current.pull(missing, p, p + BATCH, out, 0);
    } else {
      baseline.pull(missing, p, p + BATCH, out, 0);
    }
    return out[BATCH - 1];
  }
}
