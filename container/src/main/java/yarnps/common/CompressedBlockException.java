package yarnps.common;

/**
 * A compressed key or value block that cannot be decompressed to its announced size: corrupt or
 * truncated data, a length that does not fit the buffers, or a block that decompresses to a size
 * other than the one the message names. The message names the codec and the sizes. Servers answer
 * it with {@code ErrorCode.BAD_REQUEST}.
 *
 * <p>The LZ4 block and Snappy raw formats carry no checksum: a damaged literal byte decodes to a
 * block of the right size with wrong content, which only the key or value decoder may notice.
 */
public class CompressedBlockException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public CompressedBlockException(String message) {
    super(message);
  }

  public CompressedBlockException(String message, Throwable cause) {
    super(message, cause);
  }
}
