package yarnps.common;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KeyCodecTest {

  private static byte[] encode(long... keys) {
    byte[] out = new byte[KeyCodec.maxEncodedSize(keys.length)];
    int len = KeyCodec.encode(keys, 0, keys.length, out, 0);
    return Arrays.copyOf(out, len);
  }

  /** Decodes from a heap buffer with a non-zero array offset and position, and a direct buffer. */
  private static void assertRoundTrip(long[] keys) {
    byte[] block = encode(keys);
    byte[] padded = new byte[block.length + 7];
    System.arraycopy(block, 0, padded, 5, block.length);
    ByteBuffer heap = ByteBuffer.wrap(padded, 2, block.length + 3).slice();
    heap.position(3);
    long[] out = new long[keys.length + 2];
    KeyCodec.decode(heap, keys.length, out, 1);
    assertArrayEquals(keys, Arrays.copyOfRange(out, 1, keys.length + 1));
    assertEquals(heap.limit(), heap.position());

    ByteBuffer direct = ByteBuffer.allocateDirect(block.length);
    direct.put(block).flip();
    long[] out2 = new long[keys.length];
    KeyCodec.decode(direct, keys.length, out2, 0);
    assertArrayEquals(keys, out2);
    assertEquals(direct.limit(), direct.position());

    ByteBuffer readOnly = ByteBuffer.wrap(block).asReadOnlyBuffer();
    long[] out3 = new long[keys.length];
    KeyCodec.decode(readOnly, keys.length, out3, 0);
    assertArrayEquals(keys, out3);
  }

  private static String decodeError(byte[] block, int n) {
    String heap = assertThrows(KeyBlockException.class,
        () -> KeyCodec.decode(ByteBuffer.wrap(block), n, new long[n], 0)).getMessage();
    ByteBuffer direct = ByteBuffer.allocateDirect(block.length);
    direct.put(block).flip();
    String dir = assertThrows(KeyBlockException.class,
        () -> KeyCodec.decode(direct, n, new long[n], 0)).getMessage();
    assertEquals(heap, dir, "heap and direct decoding must fail alike");
    return heap;
  }

  @Test
  void knownEncodings() {
    assertArrayEquals(new byte[] {0}, encode(0L));
    assertArrayEquals(new byte[] {(byte) 0xAC, 0x02}, encode(300L));
    assertArrayEquals(new byte[] {5, 1, 0x7F, (byte) 0x80, 0x01}, encode(5, 6, 133, 261));
    byte[] max = encode(-1L);
    assertEquals(10, max.length);
    assertEquals(1, max[9]);
    assertEquals(0, encode().length);
  }

  @Test
  void roundTripsEdgeKeys() {
    assertRoundTrip(new long[0]);
    assertRoundTrip(new long[] {0});
    assertRoundTrip(new long[] {-1L});
    assertRoundTrip(new long[] {0, -1L});
    assertRoundTrip(new long[] {0, 1, 2, 3});
    assertRoundTrip(new long[] {-3L, -2L, -1L});
    assertRoundTrip(new long[] {Long.MAX_VALUE, Long.MIN_VALUE});
    assertRoundTrip(new long[] {1, 1L << 62, Long.MIN_VALUE + 5, -2L});
    assertRoundTrip(new long[] {127, 128, 16383, 16384, 1L << 56, (1L << 63) - 1});
  }

  @Test
  void roundTripsRandomSets() {
    SplittableRandom rnd = new SplittableRandom(42);
    for (int round = 0; round < 300; round++) {
      int n = rnd.nextInt(1, 2000);
      long[] keys = new long[n];
      int bits = rnd.nextInt(1, 65);
      for (int i = 0; i < n; i++) {
        long k = rnd.nextLong();
        keys[i] = bits == 64 ? k : k >>> (64 - bits);
      }
      int m = KeyArrays.sortUnique(keys, n);
      assertRoundTrip(Arrays.copyOf(keys, m));
    }
  }

  @Test
  void encodeAtOffset() {
    long[] keys = {9, 10, 500, 501};
    byte[] out = new byte[50];
    int end = KeyCodec.encode(keys, 1, 3, out, 7);
    long[] back = new long[2];
    KeyCodec.decode(ByteBuffer.wrap(out, 7, end - 7), 2, back, 0);
    assertArrayEquals(new long[] {10, 500}, back);
  }

  @Test
  void encodeRejectsUnsortedOrDuplicate() {
    String m = assertThrows(IllegalArgumentException.class,
        () -> KeyCodec.encode(new long[] {1, 7, 5}, 0, 3, new byte[30], 0)).getMessage();
    assertTrue(m.contains("index 2") && m.contains("= 7") && m.contains("= 5"), m);
    m = assertThrows(IllegalArgumentException.class,
        () -> KeyCodec.encode(new long[] {4, 4}, 0, 2, new byte[20], 0)).getMessage();
    assertTrue(m.contains("index 1"), m);
    // -1L is 2^64 - 1, after 0 in unsigned order.
    m = assertThrows(IllegalArgumentException.class,
        () -> KeyCodec.encode(new long[] {-1L, 0}, 0, 2, new byte[20], 0)).getMessage();
    assertTrue(m.contains("18446744073709551615"), m);
  }

  @Test
  void rejectsTruncated() {
    byte[] block = encode(1, 1000, 1L << 40);
    String m = decodeError(Arrays.copyOf(block, block.length - 1), 3);
    assertTrue(m.contains("truncated") && m.contains("key index 2"), m);
    m = decodeError(block, 4);
    assertTrue(m.contains("truncated") && m.contains("key index 3"), m);
    m = decodeError(new byte[0], 1);
    assertTrue(m.contains("truncated") && m.contains("key index 0"), m);
  }

  @Test
  void rejectsOverlongVarint() {
    byte[] block = new byte[11];
    Arrays.fill(block, 0, 10, (byte) 0x80);
    block[10] = 1;
    String m = decodeError(block, 1);
    assertTrue(m.contains("longer than 10 bytes") && m.contains("key index 0"), m);
    byte[] second = {3, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80,
        (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0};
    m = decodeError(second, 2);
    assertTrue(m.contains("longer than 10 bytes") && m.contains("key index 1"), m);
  }

  @Test
  void rejectsOverflowingVarint() {
    byte[] block = new byte[10];
    Arrays.fill(block, 0, 9, (byte) 0xFF);
    block[9] = 2;
    String m = decodeError(block, 1);
    assertTrue(m.contains("overflows 64 bits") && m.contains("key index 0"), m);
  }

  @Test
  void rejectsZeroDelta() {
    String m = decodeError(new byte[] {5, 1, 0}, 3);
    assertTrue(m.contains("zero delta") && m.contains("key index 2"), m);
  }

  @Test
  void rejectsWrapPast2To64() {
    byte[] max = encode(-1L);
    byte[] block = Arrays.copyOf(max, max.length + 1);
    block[max.length] = 1;
    String m = decodeError(block, 2);
    assertTrue(m.contains("wraps") && m.contains("key index 1"), m);
    byte[] big = encode(1L << 63);
    byte[] delta = encode(1L << 63);
    byte[] both = Arrays.copyOf(big, big.length + delta.length);
    System.arraycopy(delta, 0, both, big.length, delta.length);
    m = decodeError(both, 2);
    assertTrue(m.contains("wraps") && m.contains("key index 1"), m);
  }

  @Test
  void rejectsTrailingBytes() {
    byte[] block = encode(1, 2, 3);
    String m = decodeError(Arrays.copyOf(block, block.length + 2), 3);
    assertTrue(m.contains("2 trailing byte") && m.contains("index 2"), m);
    m = decodeError(block, 2);
    assertTrue(m.contains("1 trailing byte"), m);
  }

  @Test
  void rejectsNegativeCount() {
    assertThrows(KeyBlockException.class,
        () -> KeyCodec.decode(ByteBuffer.wrap(new byte[0]), -1, new long[0], 0));
    assertThrows(IllegalArgumentException.class, () -> KeyCodec.maxEncodedSize(-1));
  }
}
