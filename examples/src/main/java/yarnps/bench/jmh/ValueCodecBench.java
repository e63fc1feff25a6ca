package yarnps.bench.jmh;

import java.nio.ByteBuffer;
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
import yarnps.common.ValueCodec;

/**
 * {@link ValueCodec} on blocks of {@link #N} floats: encode into a byte array, decode from a
 * {@code heap} or a {@code direct} buffer. Scores are ns per value.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(ValueCodecBench.N)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
public class ValueCodecBench {

  static final int N = 8192;

  private final float[] in = new float[N];
  private final float[] out = new float[N];
  private final byte[] block = new byte[ValueCodec.encodedSize(N)];

  /** The encoded block in the buffer kind that decode reads; encode does not take this state. */
  @State(Scope.Thread)
  public static class Encoded {
    @Param({"heap", "direct"})
    public String buffer;

    ByteBuffer block;

    @Setup(Level.Trial)
    public void setUp(ValueCodecBench bench) {
      int length = bench.block.length;
      block = buffer.equals("direct") ? ByteBuffer.allocateDirect(length) : ByteBuffer.allocate(length);
      block.put(bench.block);
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    SplittableRandom rnd = new SplittableRandom(6);
    for (int i = 0; i < N; i++) {
      in[i] = (float) rnd.nextGaussian();
    }
    ValueCodec.encode(in, 0, N, block, 0);
  }

  @Benchmark
  public byte[] encode() {
    ValueCodec.encode(in, 0, N, block, 0);
    return block;
  }

  @Benchmark
  public float decode(Encoded encoded) {
    encoded.block.clear();
    ValueCodec.decode(encoded.block, N, out, 0);
    return out[N - 1];
  }
}
