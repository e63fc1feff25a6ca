package yarnps.common;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ValueCodecTest {

  private static final float[] SPECIAL = {
      0f, -0f, 1f, -1f, Float.MIN_VALUE, -Float.MIN_VALUE, 1e-40f, Float.MIN_NORMAL,
      Float.MAX_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
      Float.NaN, Float.intBitsToFloat(0x7fc12345), Float.intBitsToFloat(0xffc00001),
      Float.intBitsToFloat(0x7f812345)};

  private static void assertBitsEqual(float[] expected, float[] actual, int actualOff) {
    for (int i = 0; i < expected.length; i++) {
      assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[actualOff + i]),
          "value " + i);
    }
  }

  @Test
  void littleEndianLayout() {
    byte[] out = new byte[8];
    ValueCodec.encode(new float[] {1f, -2f}, 0, 2, out, 0);
    assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3F, 0, 0, 0, (byte) 0xC0}, out);
  }

  @Test
  void roundTripIsBitExact() {
    byte[] out = new byte[3 + SPECIAL.length * 4];
    ValueCodec.encode(SPECIAL, 0, SPECIAL.length, out, 3);
    for (int i = 0; i < SPECIAL.length; i++) {
      int bits = (out[3 + 4 * i] & 0xFF) | (out[4 + 4 * i] & 0xFF) << 8
          | (out[5 + 4 * i] & 0xFF) << 16 | (out[6 + 4 * i] & 0xFF) << 24;
      assertEquals(Float.floatToRawIntBits(SPECIAL[i]), bits, "encoded value " + i);
    }
    float[] heap = new float[SPECIAL.length + 1];
    ByteBuffer in = ByteBuffer.wrap(out, 3, SPECIAL.length * 4);
    ValueCodec.decode(in, SPECIAL.length, heap, 1);
    assertBitsEqual(SPECIAL, heap, 1);
    assertEquals(in.limit(), in.position());

    ByteBuffer direct = ByteBuffer.allocateDirect(SPECIAL.length * 4);
    direct.put(out, 3, SPECIAL.length * 4).flip();
    float[] fromDirect = new float[SPECIAL.length];
    ValueCodec.decode(direct, SPECIAL.length, fromDirect, 0);
    assertBitsEqual(SPECIAL, fromDirect, 0);
  }

  @Test
  void roundTripsRandomSlices() {
    SplittableRandom rnd = new SplittableRandom(7);
    for (int round = 0; round < 100; round++) {
      float[] v = new float[rnd.nextInt(0, 500)];
      for (int i = 0; i < v.length; i++) {
        v[i] = Float.intBitsToFloat(rnd.nextInt());
      }
      int from = v.length == 0 ? 0 : rnd.nextInt(0, v.length);
      int to = rnd.nextInt(from, v.length + 1);
      byte[] out = new byte[ValueCodec.encodedSize(to - from)];
      ValueCodec.encode(v, from, to, out, 0);
      float[] back = new float[to - from];
      ValueCodec.decode(ByteBuffer.wrap(out), to - from, back, 0);
      assertBitsEqual(java.util.Arrays.copyOfRange(v, from, to), back, 0);
    }
  }

  @Test
  void rejectsWrongLength() {
    String m = assertThrows(IllegalArgumentException.class,
        () -> ValueCodec.decode(ByteBuffer.wrap(new byte[10]), 3, new float[3], 0)).getMessage();
    assertTrue(m.contains("10") && m.contains("12"), m);
    m = assertThrows(IllegalArgumentException.class,
        () -> ValueCodec.decode(ByteBuffer.wrap(new byte[16]), 3, new float[3], 0)).getMessage();
    assertTrue(m.contains("16") && m.contains("12"), m);
  }
}
