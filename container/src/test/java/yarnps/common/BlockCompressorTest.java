package yarnps.common;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import net.jpountz.lz4.LZ4Factory;
import org.junit.jupiter.api.Test;
import yarnps.conf.PsKeys;
import yarnps.thrift.BlockCodec;

class BlockCompressorTest {
  private static final byte GUARD = 0x5A;
  /** Bytes before a buffer's position; heap buffers also start at a non-zero array offset. */
  private static final int LEAD = 3;
  /** Guard bytes inside the limit after the range a call may touch. */
  private static final int TRAIL = 4;

  enum Kind { HEAP, DIRECT, READ_ONLY_HEAP }

  private static final Kind[] WRITABLE = {Kind.HEAP, Kind.DIRECT};

  /** A buffer of {@code capacity} guard bytes; a heap one is a slice at array offset 2. */
  private static ByteBuffer buffer(Kind kind, int capacity) {
    ByteBuffer b;
    if (kind == Kind.DIRECT) {
      b = ByteBuffer.allocateDirect(capacity);
    } else {
      byte[] a = new byte[capacity + 5];
      Arrays.fill(a, GUARD);
      b = ByteBuffer.wrap(a, 2, capacity).slice();
    }
    byte[] guards = new byte[capacity];
    Arrays.fill(guards, GUARD);
    b.put(0, guards);
    return b;
  }

  /** {@code data} between position LEAD and the limit, guard bytes around it. */
  private static ByteBuffer source(Kind kind, byte[] data) {
    ByteBuffer b = buffer(kind, LEAD + data.length + TRAIL);
    b.position(LEAD);
    b.put(data);
    b.limit(LEAD + data.length).position(LEAD);
    return kind == Kind.READ_ONLY_HEAP ? b.asReadOnlyBuffer() : b;
  }

  /** Room for {@code length} bytes from position LEAD, and TRAIL guard bytes before the limit. */
  private static ByteBuffer destination(Kind kind, int length) {
    ByteBuffer b = buffer(kind, LEAD + length + TRAIL);
    b.position(LEAD);
    return b;
  }

  private static byte[] bytes(ByteBuffer b, int from, int to) {
    byte[] out = new byte[to - from];
    b.get(from, out);
    return out;
  }

  /** Asserts every byte of {@code b} outside {@code [from, to)} is still a guard byte. */
  private static void assertGuarded(ByteBuffer b, int from, int to, String what) {
    for (int i = 0; i < b.capacity(); i++) {
      if ((i < from || i >= to) && b.get(i) != GUARD) {
        fail(what + ": byte " + i + " outside [" + from + ", " + to + ") written");
      }
    }
  }

  /** Every codec, and LZ4 in pure Java besides the (JNI, where it loads) fastest instance. */
  private static List<BlockCompressor> all() {
    List<BlockCompressor> list = new ArrayList<>();
    for (BlockCodec codec : BlockCodec.values()) {
      list.add(BlockCompressor.forCodec(codec));
    }
    list.add(BlockCompressor.lz4(LZ4Factory.safeInstance()));
    return list;
  }

  private static List<BlockCompressor> compressing() {
    List<BlockCompressor> list = all();
    list.removeIf(c -> c.codec() == BlockCodec.NONE);
    return list;
  }

  /** Compresses {@code raw} into a buffer of kind {@code wireKind}; returns it positioned at LEAD. */
  private static ByteBuffer compress(BlockCompressor c, byte[] raw, Kind srcKind, Kind wireKind) {
    ByteBuffer src = source(srcKind, raw);
    ByteBuffer wire = destination(wireKind, c.maxCompressedLength(raw.length));
    int limit = wire.limit();
    int n = c.compress(src, wire);
    String what = c + " " + srcKind + " -> " + wireKind + ", " + raw.length + " bytes";
    assertEquals(LEAD + raw.length, src.position(), what);
    assertEquals(LEAD + raw.length, src.limit(), what);
    assertEquals(LEAD + n, wire.position(), what);
    assertEquals(limit, wire.limit(), what);
    assertTrue(n <= c.maxCompressedLength(raw.length), what);
    // Snappy may write scratch bytes past its output, within the bound.
    assertGuarded(wire, LEAD, LEAD + c.maxCompressedLength(raw.length), what);
    // Leave guard bytes inside the limit after the block: decompress must stop at its length.
    wire.limit(LEAD + n + TRAIL).position(LEAD);
    return wire;
  }

  /** Round trip through every buffer combination; returns the compressed size. */
  private static int assertRoundTrip(BlockCompressor c, byte[] raw) {
    int size = -1;
    for (Kind srcKind : Kind.values()) {
      for (Kind wireKind : WRITABLE) {
        for (boolean readOnlyWire : new boolean[] {false, true}) {
          for (Kind outKind : WRITABLE) {
            String what = c + " " + srcKind + " -> " + wireKind + (readOnlyWire ? " (read-only)" : "")
                + " -> " + outKind + ", " + raw.length + " bytes";
            ByteBuffer wire = compress(c, raw, srcKind, wireKind);
            int n = wire.remaining() - TRAIL;
            if (readOnlyWire) {
              wire = wire.asReadOnlyBuffer();
            }
            ByteBuffer out = destination(outKind, raw.length);
            c.decompress(wire, n, out, raw.length);
            assertEquals(LEAD + n, wire.position(), what);
            assertEquals(LEAD + raw.length, out.position(), what);
            assertEquals(LEAD + raw.length + TRAIL, out.limit(), what);
            assertArrayEquals(raw, bytes(out, LEAD, LEAD + raw.length), what);
            assertGuarded(out, LEAD, LEAD + raw.length, what);
            size = n;
          }
        }
      }
    }
    return size;
  }

  private static byte[] valueBlock(float[] v) {
    byte[] b = new byte[ValueCodec.encodedSize(v.length)];
    ValueCodec.encode(v, 0, v.length, b, 0);
    return b;
  }

  private static byte[] keyBlock(long[] keys) {
    byte[] b = new byte[KeyCodec.maxEncodedSize(keys.length)];
    return Arrays.copyOf(b, KeyCodec.encode(keys, 0, keys.length, b, 0));
  }

  private static final int[] SPECIAL_FLOAT_BITS = {
      0x7FC00000, 0x7FC00001, 0x7FBFFFFF, 0x7F800001, 0xFFC00123, 0xFF800001, // NaNs, payloads kept
      0x80000000, 0x00000000, // -0.0, +0.0
      0x00000001, 0x007FFFFF, 0x80000001, 0x807FFFFF, // denormals
      0x7F800000, 0xFF800000, // infinities
      0x7F7FFFFF, 0x00800000, 0x3F800000, // max, min normal, 1.0
  };

  private static float[] specialValues(SplittableRandom rnd, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = rnd.nextInt(4) == 0
          ? Float.intBitsToFloat(SPECIAL_FLOAT_BITS[rnd.nextInt(SPECIAL_FLOAT_BITS.length)])
          : Float.intBitsToFloat(rnd.nextInt());
    }
    return v;
  }

  private static long[] denseKeys(long start, int n) {
    long[] k = new long[n];
    for (int i = 0; i < n; i++) {
      k[i] = start + i;
    }
    return k;
  }

  /** {@code n} distinct random keys below {@code bound} (0 for all of 2^64), sorted unsigned. */
  private static long[] sparseKeys(SplittableRandom rnd, int n, long bound) {
    long[] k = new long[n];
    int m = 0;
    while (m < n) {
      for (int i = m; i < n; i++) {
        k[i] = bound == 0 ? rnd.nextLong() : rnd.nextLong(bound);
      }
      long[] sorted = Arrays.stream(k).map(x -> x ^ Long.MIN_VALUE).sorted().distinct()
          .map(x -> x ^ Long.MIN_VALUE).toArray();
      System.arraycopy(sorted, 0, k, 0, sorted.length);
      m = sorted.length;
    }
    return k;
  }

  @Test
  void valueBlocksRoundTripBitForBit() {
    SplittableRandom rnd = new SplittableRandom(1);
    for (BlockCompressor c : all()) {
      for (int n : new int[] {1, 7, 300, 5000}) {
        float[] v = specialValues(rnd, n);
        byte[] block = valueBlock(v);
        assertRoundTrip(c, block);
        ByteBuffer wire = compress(c, block, Kind.DIRECT, Kind.DIRECT);
        ByteBuffer out = ByteBuffer.allocateDirect(block.length);
        c.decompress(wire, wire.remaining() - TRAIL, out, block.length);
        float[] back = new float[n];
        ValueCodec.decode(out.flip(), n, back, 0);
        for (int i = 0; i < n; i++) {
          assertEquals(Float.floatToRawIntBits(v[i]), Float.floatToRawIntBits(back[i]),
              c + " value " + i);
        }
      }
      float[] specials = new float[SPECIAL_FLOAT_BITS.length * 50];
      for (int i = 0; i < specials.length; i++) {
        specials[i] = Float.intBitsToFloat(SPECIAL_FLOAT_BITS[i % SPECIAL_FLOAT_BITS.length]);
      }
      assertRoundTrip(c, valueBlock(specials));
    }
  }

  @Test
  void keyBlocksRoundTrip() {
    SplittableRandom rnd = new SplittableRandom(2);
    List<long[]> lists = List.of(denseKeys(0, 3000), denseKeys(Long.MAX_VALUE - 1500, 3000),
        sparseKeys(rnd, 2000, 0), sparseKeys(rnd, 2000, 1L << 20), new long[] {-1L});
    for (BlockCompressor c : all()) {
      for (long[] keys : lists) {
        byte[] block = keyBlock(keys);
        assertRoundTrip(c, block);
        ByteBuffer wire = compress(c, block, Kind.HEAP, Kind.DIRECT);
        ByteBuffer out = ByteBuffer.allocate(block.length);
        c.decompress(wire, wire.remaining() - TRAIL, out, block.length);
        long[] back = new long[keys.length];
        KeyCodec.decode(out.flip(), keys.length, back, 0);
        assertArrayEquals(keys, back, c.toString());
      }
    }
  }

  @Test
  void emptyAndTinyBlocks() {
    SplittableRandom rnd = new SplittableRandom(3);
    for (BlockCompressor c : all()) {
      int empty = assertRoundTrip(c, new byte[0]);
      assertEquals(c.codec() == BlockCodec.NONE ? 0 : 1, empty, c.toString());
      assertRoundTrip(c, new byte[] {0});
      assertRoundTrip(c, new byte[] {(byte) 0xFF});
      for (int n = 2; n < 40; n++) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        assertRoundTrip(c, b);
        assertRoundTrip(c, new byte[n]);
      }
    }
  }

  @Test
  void truncatedBlocksAreRefused() {
    byte[] raw = valueBlock(specialValues(new SplittableRandom(4), 60));
    byte[] keys = keyBlock(denseKeys(5, 2000));
    for (BlockCompressor c : compressing()) {
      for (byte[] block : List.of(raw, keys)) {
        for (Kind wireKind : WRITABLE) {
          for (Kind outKind : WRITABLE) {
            ByteBuffer wire = compress(c, block, Kind.HEAP, wireKind);
            int n = wire.remaining() - TRAIL;
            for (int len = 0; len < n; len++) {
              String msg = assertRefused(c, wire, len, outKind, block.length);
              assertTrue(msg.contains(len + " compressed / " + block.length + " raw bytes"), msg);
            }
          }
        }
      }
    }
  }

  @Test
  void wrongRawLengthIsRefused() {
    byte[] raw = valueBlock(specialValues(new SplittableRandom(5), 100));
    for (BlockCompressor c : all()) {
      for (Kind wireKind : WRITABLE) {
        for (Kind outKind : WRITABLE) {
          ByteBuffer wire = compress(c, raw, Kind.HEAP, wireKind);
          int n = wire.remaining() - TRAIL;
          for (int rawLength : new int[] {0, 1, raw.length - 1, raw.length + 1, 2 * raw.length}) {
            String msg = assertRefused(c, wire, n, outKind, rawLength);
            assertTrue(msg.startsWith(c.codec().name().toLowerCase(Locale.ROOT) + " block of " + n
                + " compressed / " + rawLength + " raw bytes"), msg);
          }
        }
      }
    }
  }

  @Test
  void flippedBytesAreRefusedOrStayInRange() {
    byte[] raw = keyBlock(sparseKeys(new SplittableRandom(6), 300, 1L << 24));
    SplittableRandom rnd = new SplittableRandom(7);
    for (BlockCompressor c : compressing()) {
      for (Kind wireKind : WRITABLE) {
        for (Kind outKind : WRITABLE) {
          byte[] good = compressedBytes(c, raw);
          int refused = 0;
          int trials = 0;
          for (int pos = 0; pos < good.length; pos++) {
            for (int mask : new int[] {0xFF, 1 << rnd.nextInt(8)}) {
              byte[] bad = good.clone();
              bad[pos] ^= (byte) mask;
              ByteBuffer wire = source(wireKind, bad);
              ByteBuffer out = destination(outKind, raw.length);
              trials++;
              try {
                c.decompress(wire, bad.length, out, raw.length);
                assertEquals(LEAD + raw.length, out.position());
              } catch (CompressedBlockException e) {
                refused++;
                assertTrue(e.getMessage().startsWith(c.codec().name().toLowerCase(Locale.ROOT)
                    + " block of " + bad.length + " compressed / " + raw.length + " raw bytes"),
                    e.getMessage());
                assertEquals(LEAD, wire.position(), "source position moved on failure");
                assertEquals(LEAD, out.position(), "destination position moved on failure");
              }
              assertGuarded(out, LEAD, LEAD + raw.length, c.toString());
            }
          }
          assertTrue(refused > 0, c + ": no flipped block refused");
          // Flipping every bit of the first byte hits the Snappy length header or the first LZ4
          // token: always detectable.
          byte[] bad = good.clone();
          bad[0] ^= (byte) 0xFF;
          assertRefused(c, source(wireKind, bad), bad.length, outKind, raw.length);
          if (wireKind == Kind.HEAP && outKind == Kind.HEAP) {
            System.out.printf("%s: %d of %d single-byte corruptions refused, the rest decoded to "
                + "the right size%n", c, refused, trials);
          }
        }
      }
    }
  }

  private static byte[] compressedBytes(BlockCompressor c, byte[] raw) {
    ByteBuffer wire = compress(c, raw, Kind.HEAP, Kind.HEAP);
    return bytes(wire, LEAD, wire.limit() - TRAIL);
  }

  @Test
  void randomGarbageNeverEscapesItsRange() {
    SplittableRandom rnd = new SplittableRandom(8);
    for (BlockCompressor c : compressing()) {
      for (int i = 0; i < 2000; i++) {
        byte[] garbage = new byte[1 + rnd.nextInt(64)];
        rnd.nextBytes(garbage);
        int rawLength = rnd.nextInt(200);
        Kind in = WRITABLE[rnd.nextInt(2)];
        Kind outKind = WRITABLE[rnd.nextInt(2)];
        ByteBuffer out = destination(outKind, rawLength);
        try {
          c.decompress(source(in, garbage), garbage.length, out, rawLength);
        } catch (CompressedBlockException e) {
          assertTrue(e.getMessage().contains(garbage.length + " compressed / " + rawLength), e.getMessage());
        }
        assertGuarded(out, LEAD, LEAD + rawLength, c.toString());
      }
    }
  }

  @Test
  void lengthsOutsideTheBuffersAreRefused() {
    for (BlockCompressor c : all()) {
      byte[] raw = new byte[100];
      ByteBuffer wire = compress(c, raw, Kind.HEAP, Kind.DIRECT);
      int n = wire.remaining() - TRAIL;
      assertRefused(c, wire, -1, Kind.HEAP, raw.length);
      assertRefused(c, wire, n + TRAIL + 1, Kind.HEAP, raw.length);
      assertRefused(c, wire, n, Kind.HEAP, -1);
      ByteBuffer small = destination(Kind.HEAP, raw.length - TRAIL - 1);
      String msg = assertThrows(CompressedBlockException.class,
          () -> c.decompress(wire, n, small, raw.length)).getMessage();
      assertTrue(msg.contains("destination " + (raw.length - 1)), msg);
      assertGuarded(small, 0, 0, c.toString());
    }
  }

  /** Decompressing must fail with the codec's name in the message; nothing moves or leaks. */
  private static String assertRefused(BlockCompressor c, ByteBuffer wire, int compressedLength,
      Kind outKind, int rawLength) {
    int pos = wire.position();
    ByteBuffer out = destination(outKind, Math.max(0, rawLength));
    CompressedBlockException e = assertThrows(CompressedBlockException.class,
        () -> c.decompress(wire, compressedLength, out, rawLength),
        c + ": " + compressedLength + " compressed / " + rawLength + " raw bytes");
    assertTrue(e.getMessage().startsWith(c.codec().name().toLowerCase(Locale.ROOT) + " block of "),
        e.getMessage());
    assertEquals(pos, wire.position());
    assertEquals(LEAD, out.position());
    assertGuarded(out, LEAD, LEAD + Math.max(0, rawLength), c.toString());
    return e.getMessage();
  }

  @Test
  void compressNeedsRoomForTheBound() {
    for (BlockCompressor c : all()) {
      byte[] raw = new byte[1000];
      ByteBuffer src = source(Kind.HEAP, raw);
      ByteBuffer dst = buffer(Kind.DIRECT, c.maxCompressedLength(raw.length) - 1);
      String msg = assertThrows(IllegalArgumentException.class, () -> c.compress(src, dst))
          .getMessage();
      assertTrue(msg.contains("needs up to " + c.maxCompressedLength(raw.length)), msg);
      assertEquals(LEAD, src.position());
      assertEquals(0, dst.position());
      assertGuarded(dst, 0, 0, c.toString());
    }
  }

  @Test
  void maxCompressedLengthBounds() {
    for (BlockCompressor c : all()) {
      assertThrows(IllegalArgumentException.class, () -> c.maxCompressedLength(-1));
      assertTrue(c.maxCompressedLength(1 << 20) >= 1 << 20);
    }
    assertEquals(Integer.MAX_VALUE, BlockCompressor.forCodec(BlockCodec.NONE)
        .maxCompressedLength(Integer.MAX_VALUE));
    for (BlockCompressor c : compressing()) {
      assertThrows(IllegalArgumentException.class, () -> c.maxCompressedLength(Integer.MAX_VALUE));
    }
  }

  @Test
  void configValuesMapToCodecs() {
    for (PsKeys.BlockCompression compression : PsKeys.BlockCompression.values()) {
      BlockCompressor c = BlockCompressor.forCompression(compression);
      assertEquals(compression.name(), c.codec().name());
      assertSame(c.codec(), BlockCompressor.codecOf(compression));
    }
    assertEquals(PsKeys.BlockCompression.values().length, BlockCodec.values().length);
  }

  @Test
  void snappyWithoutItsNativeLibraryFailsAtCreation() {
    UnsatisfiedLinkError cause = new UnsatisfiedLinkError("no snappyjava in java.library.path");
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> SnappyBlockCompressor.create(() -> {
          throw cause;
        }));
    assertTrue(e.getMessage().startsWith("snappy-java native library unavailable on this host: "),
        e.getMessage());
    assertTrue(e.getMessage().contains("no snappyjava"), e.getMessage());
    assertSame(cause, e.getCause());
    NoClassDefFoundError missing = new NoClassDefFoundError("org/xerial/snappy/Snappy");
    assertSame(missing, assertThrows(IllegalStateException.class,
        () -> SnappyBlockCompressor.create(() -> {
          throw missing;
        })).getCause());
    assertFalse(SnappyBlockCompressor.create(() -> { }).toString().isEmpty());
  }

  @Test
  void printCompressionRatios() {
    SplittableRandom rnd = new SplittableRandom(9);
    int n = 100_000;
    float[] randomBits = new float[n];
    float[] weights = new float[n];
    float[] gradient = new float[n];
    java.util.Random gauss = new java.util.Random(10);
    for (int i = 0; i < n; i++) {
      randomBits[i] = Float.intBitsToFloat(rnd.nextInt());
      weights[i] = (float) (0.01 * gauss.nextGaussian());
      gradient[i] = rnd.nextInt(10) == 0 ? (float) gauss.nextGaussian() : 0f;
    }
    String[] names = {"dense keys", "sparse keys (uniform 64-bit)", "keys at 10% density",
        "random float32 bits", "weights N(0, 0.01)", "gradient 90% zeros"};
    byte[][] blocks = {keyBlock(denseKeys(1L << 40, n)), keyBlock(sparseKeys(rnd, n, 0)),
        keyBlock(sparseKeys(rnd, n, 10L * n)), valueBlock(randomBits), valueBlock(weights),
        valueBlock(gradient)};
    for (BlockCompressor c : all().subList(0, BlockCodec.values().length)) {
      StringBuilder line = new StringBuilder(c.toString()).append(':');
      for (int i = 0; i < blocks.length; i++) {
        int size = compressedBytes(c, blocks[i]).length;
        line.append(String.format(Locale.ROOT, "%n  %-30s %7d -> %7d bytes (%.3f)", names[i],
            blocks[i].length, size, (double) size / blocks[i].length));
      }
      System.out.println(line);
    }
  }
}
