package yarnps.model;

/**
 * The on-disk format of a saved model table. This is a contract: servers write it at the end of a
 * job ({@link ModelWriter}), users and tools read it ({@link ModelReader}, {@link ModelDump}), and
 * it changes only with a new {@link #VERSION}.
 *
 * <h2>Directory</h2>
 * A model is a directory holding one file per parameter server, named {@code part-s-NNNNN} where
 * NNNNN is the server's index in 5 decimal digits ({@link #partName}). Other files in the
 * directory are ignored. Each part holds the keys its server owned; a key is in at most one part,
 * and the union of the parts is the table. A key absent from every part was never pushed and
 * reads as the table's initializer value (zero unless {@code yarnps.table.NAME.init} says
 * otherwise); {@link ModelReader.Model#get} returns 0 for it.
 *
 * <h2>Part file</h2>
 * Every number is big-endian, as {@link java.io.DataOutputStream} writes it. A part is, byte by
 * byte:
 *
 * <pre>
 * header
 *   offset 0   8 bytes  magic: ASCII "YPSMODEL" (0x59 0x50 0x53 0x4D 0x4F 0x44 0x45 0x4C)
 *   offset 8   int32    format version: 1
 *   offset 12  int32    L: length in bytes of the table name, 1 .. 4096
 *   offset 16  L bytes  the table name, UTF-8
 *   16 + L     int32    W: values per key (the table's width), 1 .. 2^20
 * data: a sequence of blocks, each
 *              int32    C: number of records in the block, 0 .. 65536
 *              C records, each 8 + 4W bytes:
 *                int64    the key, an unsigned 64-bit integer stored as its two's-complement bits
 *                W x float32  the key's values, IEEE 754 binary32 bits (NaN payloads preserved)
 *   A block with C = 0 ends the data; every other block has C &gt;= 1. How records are grouped
 *   into blocks is the writer's choice (a reader must accept any C in 1 .. 65536); the writer
 *   here keeps a block under about 1 MiB. An empty table is the header, then the end block.
 * trailer, the last 16 bytes of the file
 *   int64    N: total number of records in all blocks
 *   int64    the CRC-32 (java.util.zip.CRC32, the zlib polynomial) of every byte of the file
 *            before the trailer, from the magic through the end block's count, as an unsigned
 *            value in the low 32 bits (the high 32 bits are zero)
 * </pre>
 *
 * Nothing follows the trailer. Records are in no particular order within or across parts, and a
 * key appears at most once in a model. A reader rejects a part whose magic, version, name length,
 * width, block count, record total or CRC is wrong, that ends early or that has bytes after the
 * trailer; {@link ModelReader} also rejects parts that disagree on table or width and a key
 * stored twice.
 *
 * <p>Size of a part: {@code 20 + L + 4 * (blocks + 1) + N * (8 + 4W) + 16} bytes.
 */
public final class ModelFormat {
  private ModelFormat() {}

  /** The 8 magic bytes at the start of every part: ASCII "YPSMODEL". */
  public static final byte[] MAGIC = {'Y', 'P', 'S', 'M', 'O', 'D', 'E', 'L'};
  /** The format version this code writes and reads. */
  public static final int VERSION = 1;
  /** Most records in one block. */
  public static final int MAX_BLOCK_RECORDS = 65536;
  /** Longest table name, in UTF-8 bytes. */
  public static final int MAX_TABLE_NAME_BYTES = 4096;
  /** Largest width (values per key). */
  public static final int MAX_WIDTH = 1 << 20;
  /** Bytes of the trailer: record total and CRC. */
  public static final int TRAILER_BYTES = 16;
  /** File name prefix of the parts. */
  public static final String PART_PREFIX = "part-s-";

  /** The file name of server {@code server}'s part: {@code part-s-NNNNN}. */
  public static String partName(int server) {
    if (server < 0 || server > 99_999) {
      throw new IllegalArgumentException("server index out of range: " + server);
    }
    return String.format("%s%05d", PART_PREFIX, server);
  }

  /** Bytes of one record of a table of the given width. */
  static int recordBytes(int width) {
    return 8 + 4 * width;
  }
}
