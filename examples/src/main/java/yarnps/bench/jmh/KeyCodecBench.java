package yarnps.bench.jmh;

import java.nio.ByteBuffer;
import java.util.Arrays;
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
import yarnps.common.KeyCodec;

/**
 * {@link KeyCodec} on blocks of {@link #N} keys: {@code dense} keys 10^9, 10^9 + 1, ... (1-byte
 * deltas) and {@code sparse} random keys below 2^40 (about 2^40 / N apart: mostly 4-byte deltas).
 * Decode reads a {@code heap} buffer (array path) or a {@code direct} one. Scores are ns per key.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(KeyCodecBench.N)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
public class KeyCodecBench {

  static final int N = 8192;

  @Param({"dense", "sparse"})
  public String keys;

  private long[] in;
  private final long[] out = new long[N];
  private byte[] block;
  private int length;

  /** The encoded block in the buffer kind that decode reads; encode does not take this state. */
  @State(Scope.Thread)
  public static class Encoded {
    @Param({"heap", "direct"})
    public String buffer;

    ByteBuffer block;

    @Setup(Level.Trial)
    public void setUp(KeyCodecBench bench) {
      int length = bench.length;
      block = buffer.equals("direct") ? ByteBuffer.allocateDirect(length) : ByteBuffer.allocate(length);
      block.put(bench.block, 0, length);
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    if (keys.equals("dense")) {
      in = new long[N];
      for (int i = 0; i < N; i++) {
        in[i] = 1_000_000_000L + i;
      }
    } else if (keys.equals("sparse")) {
      in = BenchData.randomKeys(N, 5);
      Arrays.sort(in);
    } else {
      throw new IllegalArgumentException("keys " + keys);
    }
    block = new byte[KeyCodec.maxEncodedSize(N)];
    length = KeyCodec.encode(in, 0, N, block, 0);
  }

  @Benchmark
  public int encode() {
    return KeyCodec.encode(in, 0, N, block, 0);
  }

  @Benchmark
  public long decode(Encoded encoded) {
    encoded.block.clear();
    KeyCodec.decode(encoded.block, N, out, 0);
    return out[N - 1];
  }
}
