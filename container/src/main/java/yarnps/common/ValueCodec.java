package yarnps.common;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Encodes and decodes value blocks (see the header of {@code yarnps.thrift}): IEEE-754 float32,
 * little-endian, row-major. Bit patterns are kept exactly, NaN payloads included. Both directions
 * are bulk copies (a plain memory copy on little-endian hardware); no object per value.
 */
public final class ValueCodec {
  private ValueCodec() {}

  /** Bytes of a block of {@code n} values. */
  public static int encodedSize(int n) {
    return Math.multiplyExact(Float.BYTES, n);
  }

  /** Writes {@code v[from, to)} into {@code out} from {@code pos}, 4 bytes per value. */
  public static void encode(float[] v, int from, int to, byte[] out, int pos) {
    Objects.checkFromToIndex(from, to, v.length);
    Objects.checkFromIndexSize(pos, encodedSize(to - from), out.length);
    ByteBuffer.wrap(out, pos, (to - from) * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN)
        .asFloatBuffer().put(v, from, to - from);
  }

  /**
   * Reads {@code n} values from {@code in}'s position into {@code out[outOff, outOff + n)} and
   * advances the position to the limit.
   *
   * @throws IllegalArgumentException if {@code in.remaining()} is not exactly {@code 4 * n}, naming
   *     both numbers
   */
  public static void decode(ByteBuffer in, int n, float[] out, int outOff) {
    if (n < 0) {
      throw new IllegalArgumentException("negative value count " + n);
    }
    Objects.checkFromIndexSize(outOff, n, out.length);
    if (in.remaining() != (long) n * Float.BYTES) {
      throw new IllegalArgumentException("value block has " + in.remaining() + " bytes, expected "
          + ((long) n * Float.BYTES) + " for " + n + " float32 values");
    }
    in.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out, outOff, n);
    in.position(in.limit());
  }
}
