package yarnps.bench.jmh;

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
 * Inserts: a width-1 {@code add} table built from 1024 slots up to 2^20 random keys, in batches of
 * {@link BenchData#BATCH}, rehashes included (1.25x growth rehashes more often than doubling).
 * {@code impl} as in {@link SparseTableBench}. Scores are ns per inserted key.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(SparseTableBuildBench.KEYS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
public class SparseTableBuildBench {

  static final int KEYS = 1 << 20;

  @Param({"current", "baseline"})
  public String impl;

  private TableSpec spec;
  private long[] keys;
  private final float[] values = new float[BenchData.BATCH];

  @Setup(Level.Trial)
  public void setUp() {
    spec = BenchData.widthOneAdd();
    keys = BenchData.randomKeys(KEYS, 4);
  }

  @Benchmark
  public long build() {
    if (impl.equals("baseline")) {
      BaselineSparseTable t = new BaselineSparseTable(1, Updaters.create(spec), spec.initializer(), 1024);
      for (int p = 0; p < KEYS; p += BenchData.BATCH) {
        t.push(keys, p, Math.min(KEYS, p + BenchData.BATCH), values, 0);
      }
      return t.size();
    }
    SparseTable t = new SparseTable(1, Updaters.create(spec), spec.initializer(), 1024);
    for (int p = 0; p < KEYS; p += BenchData.BATCH) {
      t.push(keys, p, Math.min(KEYS, p + BenchData.BATCH), values, 0);
    }
    return t.size();
  }
}
