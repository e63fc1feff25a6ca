package yarnps.common;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.Locale;
import java.util.Objects;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import yarnps.conf.PsKeys;
import yarnps.thrift.BlockCodec;

/**
 * Compresses and decompresses key and value blocks with one {@link BlockCodec} (see the header of
 * {@code yarnps.thrift}): LZ4 in the lz4 block format, Snappy in its raw format, or NONE, which
 * copies. Both directions take heap or direct buffers on either side, in any combination, and
 * work from the buffers' positions.
 *
 * <p>Usage, sender and receiver:
 * <pre>{@code
 * BlockCompressor c = BlockCompressor.forCodec(BlockCodec.LZ4);   // once per thread
 * ByteBuffer wire = ByteBuffer.allocateDirect(c.maxCompressedLength(raw.remaining()));
 * int rawBytes = raw.remaining();
 * int wireBytes = c.compress(raw, wire);                          // send codec, rawBytes, wire
 * ...
 * c.decompress(received, received.remaining(), out, rawBytes);    // out: rawBytes bytes remaining
 * }</pre>
 *
 * <p><b>Threads:</b> an instance is not thread-safe; confine each to one thread at a time (one per
 * handler thread, or per connection when one thread serves it). Creating one is cheap. The Snappy
 * instance keeps a scratch array for mixed heap and direct buffers, which is what makes calls
 * allocation-free once it has grown to the largest block.
 *
 * <p><b>Untrusted input:</b> {@link #decompress} never reads outside {@code [position, position +
 * compressedLength)} of the source nor writes outside {@code [position, position + rawLength)} of
 * the destination, and refuses damaged or mis-sized blocks with a {@link CompressedBlockException}.
 */
public abstract class BlockCompressor {
  private final BlockCodec codec;

  BlockCompressor(BlockCodec codec) {
    this.codec = codec;
  }

  /**
   * A new compressor for {@code codec}. LZ4 uses the JNI binding when it loads and pure Java
   * otherwise.
   *
   * @throws IllegalStateException for {@code SNAPPY} when the snappy-java native library cannot be
   *     loaded on this host (snappy-java has no Java fallback); the message says so and carries the
   *     cause, so a job configured with snappy fails at start rather than on every call
   */
  public static BlockCompressor forCodec(BlockCodec codec) {
    switch (Objects.requireNonNull(codec, "codec")) {
      case NONE:
        return new None();
      case LZ4:
        return lz4(LZ4Factory.fastestInstance());
      case SNAPPY:
        return SnappyBlockCompressor.create();
      default:
        throw new IllegalArgumentException("unknown block codec " + codec);
    }
  }

  private static final ThreadLocal<BlockCompressor[]> PER_THREAD =
      ThreadLocal.withInitial(() -> new BlockCompressor[BlockCodec.values().length]);

  /**
   * The calling thread's compressor for {@code codec}, created on first use (instances are not
   * thread-safe, and creating a Snappy one checks the native library). Same failures as
   * {@link #forCodec}.
   */
  public static BlockCompressor forThisThread(BlockCodec codec) {
    BlockCompressor[] mine = PER_THREAD.get();
    int i = codec.ordinal();
    if (mine[i] == null) {
      mine[i] = forCodec(codec);
    }
    return mine[i];
  }

  /** LZ4 from a given implementation, so that tests cover the pure-Java one where JNI loads. */
  static BlockCompressor lz4(LZ4Factory factory) {
    return new Lz4(factory);
  }

  /** A new compressor for the codec named by {@code yarnps.rpc.compression}; see {@link #forCodec}. */
  public static BlockCompressor forCompression(PsKeys.BlockCompression compression) {
    return forCodec(codecOf(compression));
  }

  /** The wire codec of a {@code yarnps.rpc.compression} value. */
  public static BlockCodec codecOf(PsKeys.BlockCompression compression) {
    switch (Objects.requireNonNull(compression, "compression")) {
      case NONE:
        return BlockCodec.NONE;
      case LZ4:
        return BlockCodec.LZ4;
      case SNAPPY:
        return BlockCodec.SNAPPY;
      default:
        throw new IllegalArgumentException("unknown block compression " + compression);
    }
  }

  /** The codec this instance writes and reads. */
  public final BlockCodec codec() {
    return codec;
  }

  /**
   * Bytes that compressing {@code rawLength} bytes may take at most; {@link #compress} needs that
   * much room in its destination.
   *
   * @throws IllegalArgumentException if {@code rawLength} is negative or the bound exceeds 2^31 - 1
   */
  public final int maxCompressedLength(int rawLength) {
    if (rawLength < 0) {
      throw new IllegalArgumentException(name() + ": negative raw length " + rawLength);
    }
    long max = maxCompressedLong(rawLength);
    if (max > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(name() + ": a block of " + rawLength
          + " bytes is too large to compress (bound " + max + " bytes)");
    }
    return (int) max;
  }

  /**
   * Compresses the bytes between {@code src}'s position and limit into {@code dst} from its
   * position, advances both positions past the bytes read and written, and returns the number of
   * bytes written. Limits are left as they were. The bytes after the output, up to {@link
   * #maxCompressedLength} from the start position, may be overwritten (Snappy uses them as slack
   * for 16-byte copies).
   *
   * @throws IllegalArgumentException if {@code dst} has fewer than {@link #maxCompressedLength}
   *     bytes remaining (nothing is written then)
   * @throws ReadOnlyBufferException if {@code dst} is read-only
   */
  public final int compress(ByteBuffer src, ByteBuffer dst) {
    if (dst.isReadOnly()) {
      throw new ReadOnlyBufferException();
    }
    int rawLength = src.remaining();
    int max = maxCompressedLength(rawLength);
    if (dst.remaining() < max) {
      throw new IllegalArgumentException(name() + ": destination has " + dst.remaining()
          + " bytes remaining, compressing " + rawLength + " bytes needs up to " + max);
    }
    int n = compress(src, src.position(), rawLength, dst, dst.position());
    src.position(src.limit());
    dst.position(dst.position() + n);
    return n;
  }

  /**
   * Compresses src's remaining bytes into dst like {@link #compress} if that makes them smaller;
   * otherwise leaves both buffers' positions as they were and returns false, so the caller sends
   * the block raw. dst needs {@link #maxCompressedLength} bytes of room either way.
   */
  public final boolean compressIfSmaller(ByteBuffer src, ByteBuffer dst) {
    int dstStart = dst.position();
    int srcStart = src.position();
    int raw = src.remaining();
    if (compress(src, dst) < raw) {
      return true;
    }
    dst.position(dstStart);
    src.position(srcStart);
    return false;
  }

  /**
   * Decompresses the {@code compressedLength} bytes from {@code src}'s position into exactly
   * {@code rawLength} bytes of {@code dst} from its position and advances both positions by those
   * lengths. On failure neither position moves; the destination range may hold garbage.
   *
   * @throws CompressedBlockException if a length is negative or exceeds what the buffer has
   *     remaining, or if the data is damaged, truncated or does not decompress to exactly {@code
   *     rawLength} bytes; the message names the codec and the sizes
   * @throws ReadOnlyBufferException if {@code dst} is read-only
   */
  public final void decompress(ByteBuffer src, int compressedLength, ByteBuffer dst, int rawLength) {
    if (dst.isReadOnly()) {
      throw new ReadOnlyBufferException();
    }
    if (compressedLength < 0 || rawLength < 0 || compressedLength > src.remaining()
        || rawLength > dst.remaining()) {
      throw new CompressedBlockException(describe(compressedLength, rawLength) + ": source has "
          + src.remaining() + " bytes remaining, destination " + dst.remaining());
    }
    decompress(src, src.position(), compressedLength, dst, dst.position(), rawLength);
    src.position(src.position() + compressedLength);
    dst.position(dst.position() + rawLength);
  }

  @Override
  public String toString() {
    return "BlockCompressor[" + name() + "]";
  }

  /** The codec's name as in {@code yarnps.rpc.compression}: none, lz4 or snappy. */
  final String name() {
    return codec.name().toLowerCase(Locale.ROOT);
  }

  /** "lz4 block of 12 compressed / 40 raw bytes", the start of every decompression error. */
  final String describe(int compressedLength, int rawLength) {
    return name() + " block of " + compressedLength + " compressed / " + rawLength + " raw bytes";
  }

  abstract long maxCompressedLong(int rawLength);

  /**
   * Compresses {@code src[srcPos, srcPos + len)} into {@code dst} from {@code dstPos}, which has
   * room for {@link #maxCompressedLength}; returns the bytes written. {@code srcPos} and {@code
   * dstPos} are the buffers' positions. Positions and limits are as on entry when it returns.
   */
  abstract int compress(ByteBuffer src, int srcPos, int len, ByteBuffer dst, int dstPos);

  /**
   * Decompresses {@code src[srcPos, srcPos + compressedLength)} into exactly {@code dst[dstPos,
   * dstPos + rawLength)}, both in range, or throws {@link CompressedBlockException}. {@code srcPos}
   * and {@code dstPos} are the buffers' positions. Positions and limits are as on entry when it
   * returns or throws.
   */
  abstract void decompress(ByteBuffer src, int srcPos, int compressedLength, ByteBuffer dst,
      int dstPos, int rawLength);

  /** NONE: the block travels as is. */
  private static final class None extends BlockCompressor {
    None() {
      super(BlockCodec.NONE);
    }

    @Override
    long maxCompressedLong(int rawLength) {
      return rawLength;
    }

    @Override
    int compress(ByteBuffer src, int srcPos, int len, ByteBuffer dst, int dstPos) {
      dst.put(dstPos, src, srcPos, len);
      return len;
    }

    @Override
    void decompress(ByteBuffer src, int srcPos, int compressedLength, ByteBuffer dst, int dstPos,
        int rawLength) {
      if (compressedLength != rawLength) {
        throw new CompressedBlockException(describe(compressedLength, rawLength)
            + ": an uncompressed block must have its raw size");
      }
      dst.put(dstPos, src, srcPos, compressedLength);
    }
  }

  /**
   * LZ4 block format. Decompression uses the safe decompressor bounded by the known raw length;
   * the "fast" one trusts its input and must not see bytes from the network. The library's
   * ByteBuffer methods take heap, direct and mixed buffers without copying (a read-only heap
   * source goes through its pure-Java path).
   */
  private static final class Lz4 extends BlockCompressor {
    private final LZ4Compressor compressor;
    private final LZ4SafeDecompressor decompressor;

    Lz4(LZ4Factory factory) {
      super(BlockCodec.LZ4);
      this.compressor = factory.fastCompressor();
      this.decompressor = factory.safeDecompressor();
    }

    @Override
    long maxCompressedLong(int rawLength) {
      // LZ4_COMPRESSBOUND; the library's own method throws past its 2 GB input limit.
      return (long) rawLength + rawLength / 255 + 16;
    }

    @Override
    int compress(ByteBuffer src, int srcPos, int len, ByteBuffer dst, int dstPos) {
      return compressor.compress(src, srcPos, len, dst, dstPos, dst.limit() - dstPos);
    }

    @Override
    void decompress(ByteBuffer src, int srcPos, int compressedLength, ByteBuffer dst, int dstPos,
        int rawLength) {
      int n;
      try {
        n = decompressor.decompress(src, srcPos, compressedLength, dst, dstPos, rawLength);
      } catch (LZ4Exception | IndexOutOfBoundsException e) {
        throw new CompressedBlockException(describe(compressedLength, rawLength)
            + " is damaged, truncated or decompresses to more than its raw size: " + e.getMessage(),
            e);
      }
      if (n != rawLength) {
        throw new CompressedBlockException(describe(compressedLength, rawLength)
            + " decompresses to " + n + " bytes");
      }
    }

    @Override
    public String toString() {
      return "BlockCompressor[lz4, " + compressor + "]";
    }
  }
}
