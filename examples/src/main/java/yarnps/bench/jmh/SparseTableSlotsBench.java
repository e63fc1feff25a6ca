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
 * The row-slot path of {@link SparseTable} on the same tables and key stream as
 * {@link SparseTableBench}: {@code slotsOf} resolves a batch; {@code pushSlots} and
 * {@code pullSlots} use slots resolved once at set-up, as a server's key cache would. Scores are
 * ns per key.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(BATCH)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
public class SparseTableSlotsBench {

  @Param({"1000", "100000", "1000000"})
  public int keys;

  private SparseTable table;
  private long[] stream;
  private int[] slots;
  private final int[] scratch = new int[BATCH];
  private final float[] values = new float[BATCH];
  private final float[] out = new float[BATCH];
  private int pos;

  @Setup(Level.Trial)
  public void setUp() {
    TableSpec spec = BenchData.widthOneAdd();
    long[] stored = BenchData.randomKeys(keys, 1);
    table = new SparseTable(1, Updaters.create(spec), spec.initializer(), 1024);
    table.push(stored, 0, keys, new float[keys], 0);
    stream = BenchData.sample(stored, SparseTableBench.STREAM, 2);
    slots = new int[stream.length];
    table.slotsOf(stream, 0, stream.length, slots, 0);
    java.util.Arrays.fill(values, 1e-3f);
  }

  private int next() {
    int p = pos;
    pos = p + BATCH <= stream.length - BATCH ? p + BATCH : 0;
    return p;
  }

  @Benchmark
  public int slotsOf() {
    int p = next();
    table.slotsOf(stream, p, p + BATCH, scratch, 0);
    return scratch[BATCH - 1];
  }

  @Benchmark
  public void pushSlots() {
    int p = next();
    table.pushSlots(slots, p, BATCH, stream, p, values, 0);
  }

  @Benchmark
  public float pullSlots() {
    int p = next();
    table.pullSlots(slots, p, BATCH, stream, p, out, 0);
    return out[BATCH - 1];
  }
}
