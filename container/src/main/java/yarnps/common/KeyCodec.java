package yarnps.common;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Encodes and decodes key blocks (see the header of {@code yarnps.thrift}): keys sorted ascending
 * as unsigned 64-bit integers and unique; the first key as an unsigned LEB128 varint, then the
 * difference (at least 1) of every key to the previous one as a varint.
 *
 * <p>Usage:
 * <pre>{@code
 * byte[] block = new byte[KeyCodec.maxEncodedSize(n)];
 * int len = KeyCodec.encode(keys, 0, n, block, 0);
 * ...
 * KeyCodec.decode(ByteBuffer.wrap(block, 0, len), n, keys, 0);
 * }</pre>
 * Neither direction allocates.
 */
public final class KeyCodec {
  private KeyCodec() {}

  /** Bytes that {@code n} keys take at most: 10 per key. */
  public static int maxEncodedSize(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("negative key count " + n);
    }
    return Math.multiplyExact(10, n);
  }

  /**
   * Writes {@code keys[from, to)} as a key block into {@code out} from {@code pos} and returns the
   * position after the last byte written. {@code out} needs up to {@link #maxEncodedSize} bytes.
   *
   * @throws IllegalArgumentException if the keys are not strictly increasing as unsigned integers,
   *     naming the index and both keys
   */
  public static int encode(long[] keys, int from, int to, byte[] out, int pos) {
    Objects.checkFromToIndex(from, to, keys.length);
    if (from == to) {
      return pos;
    }
    long prev = keys[from];
    pos = putVarint(prev, out, pos);
    for (int i = from + 1; i < to; i++) {
      long k = keys[i];
      if (Long.compareUnsigned(k, prev) <= 0) {
        throw new IllegalArgumentException("keys not strictly increasing (unsigned) at index " + i
            + ": keys[" + (i - 1) + "] = " + Long.toUnsignedString(prev)
            + ", keys[" + i + "] = " + Long.toUnsignedString(k));
      }
      pos = putVarint(k - prev, out, pos);
      prev = k;
    }
    return pos;
  }

  /**
   * Reads {@code n} keys of a key block from {@code in}'s position into {@code out[outOff,
   * outOff + n)} and advances the position. The block must end exactly at {@code in}'s limit.
   *
   * @throws KeyBlockException if the block is malformed; the message names the key index
   */
  public static void decode(ByteBuffer in, int n, long[] out, int outOff) {
    if (n < 0) {
      throw new KeyBlockException("negative key count " + n);
    }
    Objects.checkFromIndexSize(outOff, n, out.length);
    int end;
    if (in.hasArray()) {
      int base = in.arrayOffset();
      end = decodeArray(in.array(), base + in.position(), base + in.limit(), n, out, outOff) - base;
    } else {
      end = decodeBuffer(in, in.position(), in.limit(), n, out, outOff);
    }
    in.position(end);
    if (in.hasRemaining()) {
      throw new KeyBlockException("key block has " + in.remaining()
          + " trailing byte(s) after the last key (index " + (n - 1) + ")");
    }
  }

  private static int putVarint(long v, byte[] out, int pos) {
    // Straight-line cases for the 1- to 4-byte varints of dense and sparse key blocks: a sorted
    // list's deltas mostly share one length, so the branch predicts well and no loop runs.
    if ((v & ~0x7FL) == 0) {
      out[pos] = (byte) v;
      return pos + 1;
    }
    if ((v & ~0x3FFFL) == 0) {
      out[pos] = (byte) (v | 0x80);
      out[pos + 1] = (byte) (v >>> 7);
      return pos + 2;
    }
    if ((v & ~0x1FFFFFL) == 0) {
      out[pos] = (byte) (v | 0x80);
      out[pos + 1] = (byte) ((v >>> 7) | 0x80);
      out[pos + 2] = (byte) (v >>> 14);
      return pos + 3;
    }
    if ((v & ~0xFFFFFFFL) == 0) {
      out[pos] = (byte) (v | 0x80);
      out[pos + 1] = (byte) ((v >>> 7) | 0x80);
      out[pos + 2] = (byte) ((v >>> 14) | 0x80);
      out[pos + 3] = (byte) (v >>> 21);
      return pos + 4;
    }
    while ((v & ~0x7FL) != 0) {
      out[pos++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    out[pos++] = (byte) v;
    return pos;
  }

  /** Returns the array index after the last key read. */
  private static int decodeArray(byte[] a, int p, int end, int n, long[] out, int outOff) {
    int start = p;
    long prev = 0;
    for (int i = 0; i < n; i++) {
      long v;
      byte b;
      // Fast path for the 1- and 2-byte deltas that dominate sorted key blocks.
      if (p < end && (b = a[p]) >= 0) {
        v = b;
        p++;
      } else if (end - p >= 2 && a[p + 1] >= 0) {
        v = (a[p] & 0x7FL) | ((long) a[p + 1] << 7);
        p += 2;
      } else {
        v = 0;
        int shift = 0;
        while (true) {
          if (p >= end) {
            throw truncated(i, n, p - start);
          }
          b = a[p++];
          if (shift == 63) {
            checkTenthByte(b, i);
            v |= (long) b << 63;
            break;
          }
          v |= (b & 0x7FL) << shift;
          if (b >= 0) {
            break;
          }
          shift += 7;
        }
      }
      prev = i == 0 ? v : next(prev, v, i);
      out[outOff + i] = prev;
    }
    return p;
  }

  /** Same as {@link #decodeArray} on a buffer without an accessible array (direct or read-only). */
  private static int decodeBuffer(ByteBuffer in, int p, int end, int n, long[] out, int outOff) {
    int start = p;
    long prev = 0;
    for (int i = 0; i < n; i++) {
      long v = 0;
      int shift = 0;
      while (true) {
        if (p >= end) {
          throw truncated(i, n, p - start);
        }
        byte b = in.get(p++);
        if (shift == 63) {
          checkTenthByte(b, i);
          v |= (long) b << 63;
          break;
        }
        v |= (b & 0x7FL) << shift;
        if (b >= 0) {
          break;
        }
        shift += 7;
      }
      prev = i == 0 ? v : next(prev, v, i);
      out[outOff + i] = prev;
    }
    return p;
  }

  private static long next(long prev, long delta, int i) {
    if (delta == 0) {
      throw new KeyBlockException("key block: zero delta at key index " + i
          + " (duplicate of key " + Long.toUnsignedString(prev) + ")");
    }
    long k = prev + delta;
    if (Long.compareUnsigned(k, prev) < 0) {
      throw new KeyBlockException("key block: key index " + i + " wraps past 2^64-1 (previous key "
          + Long.toUnsignedString(prev) + ", delta " + Long.toUnsignedString(delta) + ")");
    }
    return k;
  }

  private static void checkTenthByte(byte b, int i) {
    if (b < 0) {
      throw new KeyBlockException("key block: varint of key index " + i + " is longer than 10 bytes");
    }
    if (b > 1) {
      throw new KeyBlockException("key block: varint of key index " + i + " overflows 64 bits");
    }
  }

  private static KeyBlockException truncated(int i, int n, int bytesRead) {
    return new KeyBlockException("key block truncated at key index " + i + " of " + n
        + " (block ends after " + bytesRead + " bytes)");
  }
}
