package yarnps.common;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.xerial.snappy.Snappy;
import yarnps.thrift.BlockCodec;

/**
 * Snappy raw format through snappy-java. Kept apart from {@link BlockCompressor} so that no
 * snappy-java class is loaded unless a job chose snappy (snappy-java is a provided dependency).
 *
 * <p>snappy-java reads and writes direct buffers only through {@code Snappy.compress/uncompress
 * (ByteBuffer, ByteBuffer)} (both direct) and arrays only through its {@code byte[]} methods, and
 * its native code does not bound the destination: the callers here check every length first.
 * Direct-to-direct and array-to-array calls copy nothing. A mixed pair, or a read-only heap source
 * (which exposes no array), has no library method and goes through {@link #scratch}: one copy of
 * the side that is not an array. Heap scratch rather than direct, so that its memory goes with the
 * instance.
 *
 * <p>Damaged input: the uncompressed length in the block's header must equal the known raw length
 * before anything is written, and Snappy's decompressor then writes at most that many bytes and
 * fails (it does not crash) on malformed tags or input that ends early; a separate
 * {@code isValidCompressedBuffer} pass would only decode the block twice.
 */
final class SnappyBlockCompressor extends BlockCompressor {
  private static final String UNAVAILABLE = "snappy-java native library unavailable on this host: ";

  private byte[] scratch = new byte[0];

  private SnappyBlockCompressor() {
    super(BlockCodec.SNAPPY);
  }

  /** A new instance after a round trip through the native library, or a clear failure. */
  static SnappyBlockCompressor create() {
    return create(SnappyBlockCompressor::probe);
  }

  /** {@link #create()} with the probe replaceable, so the failure path is tested. */
  static SnappyBlockCompressor create(Runnable probe) {
    try {
      probe.run();
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable t) {
      // Failing to load surfaces as SnappyError or UnsatisfiedLinkError on first use and as
      // NoClassDefFoundError afterwards (or when the jar is missing), all of them Errors.
      throw new IllegalStateException(UNAVAILABLE + t, t);
    }
    return new SnappyBlockCompressor();
  }

  private static void probe() {
    byte[] raw = "yarn-ps snappy probe".getBytes(StandardCharsets.US_ASCII);
    byte[] back;
    try {
      back = Snappy.uncompress(Snappy.compress(raw));
    } catch (IOException e) {
      throw new IllegalStateException("round trip failed", e);
    }
    if (!Arrays.equals(raw, back)) {
      throw new IllegalStateException("round trip returned different bytes");
    }
  }

  @Override
  long maxCompressedLong(int rawLength) {
    // Snappy::MaxCompressedLength, computed in long so that it cannot overflow.
    return 32L + rawLength + rawLength / 6;
  }

  @Override
  int compress(ByteBuffer src, int srcPos, int len, ByteBuffer dst, int dstPos) {
    try {
      if (src.isDirect() && dst.isDirect()) {
        return compressDirect(src, srcPos, len, dst);
      }
      byte[] in;
      int inOff;
      int outScratch = dst.hasArray() ? 0 : maxCompressedLength(len);
      if (src.hasArray()) {
        in = src.array();
        inOff = src.arrayOffset() + srcPos;
        ensureScratch(outScratch);
      } else {
        ensureScratch(len + outScratch);
        src.get(srcPos, scratch, 0, len);
        in = scratch;
        inOff = 0;
      }
      if (dst.hasArray()) {
        return Snappy.compress(in, inOff, len, dst.array(), dst.arrayOffset() + dstPos);
      }
      int outOff = in == scratch ? len : 0;
      int n = Snappy.compress(in, inOff, len, scratch, outOff);
      dst.put(dstPos, scratch, outOff, n);
      return n;
    } catch (IOException e) {
      // Compression fails only if the native library misbehaves; the caller's data is not at fault.
      throw new IllegalStateException("snappy failed to compress " + len + " bytes", e);
    }
  }

  private static int compressDirect(ByteBuffer src, int srcPos, int len, ByteBuffer dst)
      throws IOException {
    // Snappy.compress reads src from position to limit, writes at dst's position and sets dst's
    // limit to the end of its output: bracket it and put the limits back.
    int srcLimit = src.limit();
    int dstLimit = dst.limit();
    try {
      src.limit(srcPos + len);
      return Snappy.compress(src, dst);
    } finally {
      src.limit(srcLimit);
      dst.limit(dstLimit);
    }
  }

  @Override
  void decompress(ByteBuffer src, int srcPos, int compressedLength, ByteBuffer dst, int dstPos,
      int rawLength) {
    try {
      if (src.isDirect() && dst.isDirect()) {
        decompressDirect(src, srcPos, compressedLength, dst, rawLength);
        return;
      }
      byte[] in;
      int inOff;
      int outScratch = dst.hasArray() ? 0 : rawLength;
      if (src.hasArray()) {
        in = src.array();
        inOff = src.arrayOffset() + srcPos;
        ensureScratch(outScratch);
      } else {
        ensureScratch(compressedLength + outScratch);
        src.get(srcPos, scratch, 0, compressedLength);
        in = scratch;
        inOff = 0;
      }
      checkHeader(Snappy.uncompressedLength(in, inOff, compressedLength), compressedLength,
          rawLength);
      if (dst.hasArray()) {
        checkOutput(Snappy.uncompress(in, inOff, compressedLength, dst.array(),
            dst.arrayOffset() + dstPos), compressedLength, rawLength);
        return;
      }
      int outOff = in == scratch ? compressedLength : 0;
      checkOutput(Snappy.uncompress(in, inOff, compressedLength, scratch, outOff),
          compressedLength, rawLength);
      dst.put(dstPos, scratch, outOff, rawLength);
    } catch (IOException e) {
      throw new CompressedBlockException(describe(compressedLength, rawLength)
          + " is damaged or truncated: " + e.getMessage(), e);
    }
  }

  private void decompressDirect(ByteBuffer src, int srcPos, int compressedLength, ByteBuffer dst,
      int rawLength) throws IOException {
    // As in compressDirect: snappy-java works between position and limit and moves dst's limit.
    int srcLimit = src.limit();
    int dstLimit = dst.limit();
    try {
      src.limit(srcPos + compressedLength);
      checkHeader(Snappy.uncompressedLength(src), compressedLength, rawLength);
      checkOutput(Snappy.uncompress(src, dst), compressedLength, rawLength);
    } finally {
      src.limit(srcLimit);
      dst.limit(dstLimit);
    }
  }

  /** The header's length bounds what Snappy writes: it must be the raw length we have room for. */
  private void checkHeader(int headerLength, int compressedLength, int rawLength) {
    if (headerLength != rawLength) {
      throw new CompressedBlockException(describe(compressedLength, rawLength)
          + ": its header announces " + headerLength + " raw bytes");
    }
  }

  private void checkOutput(int n, int compressedLength, int rawLength) {
    if (n != rawLength) {
      throw new CompressedBlockException(describe(compressedLength, rawLength)
          + " decompresses to " + n + " bytes");
    }
  }

  private void ensureScratch(int size) {
    if (scratch.length < size) {
      scratch = new byte[Math.max(size, (int) Math.min(Integer.MAX_VALUE - 8, 2L * scratch.length))];
    }
  }
}
