package yarnps.common;

/**
 * A key block that does not follow the format documented in {@code yarnps.thrift}: truncated,
 * an over-long or overflowing varint, a zero delta (duplicate key), a key past 2^64 - 1, or bytes
 * left after the announced number of keys. The message says what is wrong and at which key index.
 * Servers answer it with {@code ErrorCode.BAD_REQUEST}.
 */
public class KeyBlockException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public KeyBlockException(String message) {
    super(message);
  }
}
