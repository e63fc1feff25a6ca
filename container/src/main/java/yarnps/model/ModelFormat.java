package yarnps.model;

/**
 * The on-disk format of a saved model table (a contract: other tools read it).
 *
 * <p>A model is a directory with one file per server, {@code part-s-NNNNN} (NNNNN = the server
 * index, 5 digits). Every number is big-endian (as {@link java.io.DataOutputStream} writes it).
 * A file is:
 *
 * <pre>
 * header:
 *   8 bytes   magic, ASCII "YPSMODEL"
 *   int32     format version (1)
 *   int32     length L of the table name in bytes, then L bytes of UTF-8
 *   int32     width W: float values per key
 * blocks, each:
 *   int32     record count C of this block, 1 .. 65536; a block with C = 0 ends the data
 *   C records, each: int64 key (an unsigned 64-bit key), then W float32 values
 * trailer:
 *   int64     total number of records in the file
 *   int64     CRC32 (in the low 32 bits) of every byte of the file before the trailer
 * </pre>
 *
 * Keys within and across parts are unique and in no particular order; the union of the parts is
 * the table. A key not in the model reads as the table's initializer value (zero for the defaults).
 */
public final class ModelFormat {
  private ModelFormat() {}

  public static final byte[] MAGIC = {'Y', 'P', 'S', 'M', 'O', 'D', 'E', 'L'};
  public static final int VERSION = 1;
  public static final int MAX_BLOCK_RECORDS = 65536;
  /** File name prefix of the parts. */
  public static final String PART_PREFIX = "part-s-";

  public static String partName(int server) {
    return String.format("%s%05d", PART_PREFIX, server);
  }
}
