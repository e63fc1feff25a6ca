package yarnps.checkpoint;

import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import yarnps.conf.PsKeys;

/**
 * The on-disk format of a checkpoint. This is a contract: parameter servers write shards
 * ({@link ShardWriter}), the AM commits the manifest ({@link CheckpointManifest#commit}), servers,
 * a new AM attempt, {@code submit --restore-from} and tools read them back ({@link CheckpointReader},
 * {@link Checkpoint}, {@link CheckpointDump}). It changes only with a new {@link #VERSION}.
 *
 * <h2>Directories</h2>
 * <pre>
 * &lt;root&gt;/                            yarnps.checkpoint.dir, by default &lt;yarnps.output&gt;/checkpoints
 *   ckpt-0000000000000000120/          one checkpoint: "ckpt-" and the clock in 19 decimal digits
 *     _MANIFEST                        JSON, written last (see below); absent = no checkpoint
 *     &lt;table&gt;/00000.shard             rows of the table's key range 0 of the manifest's layout
 *     &lt;table&gt;/00001.shard             ... one shard per table per range, index in at least 5 digits
 * </pre>
 * The clock is zero-padded so that names sort in clock order ({@link #dirName}). A checkpoint at
 * clock c holds the parameters after every push of clocks &lt;= c and none after (the writers'
 * promise; nothing here can check it). Other names under the root and in a checkpoint directory
 * are ignored; table names are those {@code yarnps.tables} allows ({@code [A-Za-z][A-Za-z0-9_]*}),
 * so they are safe as directory names.
 *
 * <h2>Commit</h2>
 * The shards are written first, by the servers, in parallel. Then one writer (the AM) writes the
 * manifest to {@value #MANIFEST_TEMP} and renames it to {@value #MANIFEST}; the rename is atomic on
 * HDFS and on a local POSIX file system, so a reader sees either no manifest or a whole one. A
 * directory without {@value #MANIFEST} is an incomplete checkpoint (being written, or abandoned)
 * and does not exist for readers; the temporary name is never read. A committed checkpoint is
 * never modified: committing over an existing manifest fails.
 *
 * <h2>Shard file</h2>
 * Every number is big-endian, as {@link java.io.DataOutputStream} writes it. A shard is, byte by
 * byte:
 *
 * <pre>
 * header
 *   offset 0   8 bytes  magic: ASCII "YPSCHKPT" (0x59 0x50 0x53 0x43 0x48 0x4B 0x50 0x54)
 *   offset 8   int32    format version: 1
 *   offset 12  int64    clock of the checkpoint, &gt;= 0
 *   offset 20  int32    range index in the manifest's layout, &gt;= 0
 *   offset 24  int64    range start: the smallest key of the range (unsigned)
 *   offset 32  int64    range limit: the key after the range's last one (unsigned; 0 means 2^64)
 *   offset 40  int32    W: the table's width (weights per key), 1 .. 2^20
 *   offset 44  int32    S: the stride (floats stored per key), a multiple of W, W .. 2^24
 *   offset 48  int32    L: length in bytes of the table name, 1 .. 4096
 *   offset 52  L bytes  the table name, UTF-8
 *   52 + L     int32    U: length in bytes of the updater name, 1 .. 256
 *   56 + L     U bytes  the updater name, UTF-8 ({@code add}, {@code sgd}, {@code adagrad}, {@code ftrl})
 * data: a sequence of blocks, each
 *              int32    C: number of records in the block, 0 .. 65536
 *              C records, each 8 + 4S bytes:
 *                int64        the key, an unsigned 64-bit integer stored as its two's-complement bits
 *                S x float32  the key's row, IEEE 754 binary32 bits (NaN payloads preserved): the
 *                             W weights, then the updater's state (S - W floats, in the order of
 *                             {@link yarnps.server.store.Updater}: state slot s of column j at
 *                             W * (1 + s) + j)
 *   A block with C = 0 ends the data; every other block has C &gt;= 1. How records are grouped
 *   into blocks is the writer's choice (a reader accepts any C in 1 .. 65536); the writer here keeps
 *   a block under about 1 MiB. Every key lies in [range start, range limit), and a key appears at
 *   most once in a shard (the writer's promise; readers check the range, not duplicates). An empty
 *   range is the header, then the end block.
 * trailer, the last 16 bytes of the file
 *   int64    N: total number of records in all blocks
 *   int64    the CRC-32 (java.util.zip.CRC32, the zlib polynomial) of every byte of the file
 *            before the trailer, from the magic through the end block's count, as an unsigned
 *            value in the low 32 bits (the high 32 bits are zero)
 * </pre>
 *
 * Nothing follows the trailer. Records are in no particular order.
 * Size of a shard: {@code 56 + L + U + 4 * (blocks + 1) + N * (8 + 4S) + 16} bytes.
 *
 * <h2>Manifest</h2>
 * {@value #MANIFEST} is one UTF-8 JSON object (RFC 8259), written as one line ending in a newline;
 * for example (wrapped here):
 * <pre>
 * {"format":"yarnps-checkpoint","version":1,"clock":120,"createdMs":1767225600000,
 *  "layout":{"version":3,"servers":2,"ranges":[
 *     {"start":"0","limit":"9223372036854775808","server":0},
 *     {"start":"9223372036854775808","limit":"0","server":1}]},
 *  "tables":[{"name":"w","width":1,"stride":3,"updater":"ftrl",
 *     "params":{"ftrl.alpha":"0.1","ftrl.beta":"1.0","l1":"0.0","l2":"0.0"},"init":"zero"}],
 *  "shards":[{"table":"w","range":0,"path":"w/00000.shard","rows":1000,"bytes":20085,"crc":3735928559},
 *     {"table":"w","range":1,"path":"w/00001.shard","rows":0,"bytes":81,"crc":1234567}]}
 * </pre>
 * <ul>
 *   <li>{@code format} is the string {@code "yarnps-checkpoint"}; {@code version} the format
 *       version, which also versions the shards.
 *   <li>{@code clock} equals the clock in the directory name and in every shard header;
 *       {@code createdMs} is when the manifest was made, in milliseconds since the epoch.
 *   <li>{@code layout}: the key layout the shards were cut by. {@code ranges} lists every range in
 *       index order; {@code start} and {@code limit} are unsigned 64-bit keys as decimal strings
 *       (a JSON number cannot hold them exactly in most parsers), limit "0" meaning 2^64; the first
 *       starts at "0", each limit is the next start and the last limit is "0". {@code server} is
 *       the server that held the range, in [0, servers).
 *   <li>{@code tables}: every table, with its width, stride, updater name, the updater's
 *       hyper-parameters as strings keyed by the suffix of their {@code yarnps.table.NAME.*} key
 *       (only those the updater uses: {@code lr}, {@code l1}, {@code l2}, {@code adagrad.eps},
 *       {@code ftrl.alpha}, {@code ftrl.beta}), and the initializer as {@code yarnps.table.NAME.init}
 *       spells it.
 *   <li>{@code shards}: exactly one entry per table per range: its path relative to the
 *       checkpoint directory ({@code /}-separated names of letters, digits, {@code _}, {@code .} and
 *       {@code -}, none of them {@code .} or {@code ..}; the writer here uses
 *       {@code <table>/<range>.shard}), record count, size in bytes, and CRC-32 (the value in the
 *       shard's trailer).
 * </ul>
 * All other numbers are JSON integers, written exactly (readers that keep numbers as doubles see
 * them exactly below 2^53). Members may come in any order; readers ignore members they do not
 * know, so a later version may add some; anything a reader must understand comes with a new
 * version. Readers reject a manifest that is not valid JSON, repeats a member name, lacks a
 * required member or gives it the wrong type, or whose layout, tables and shards disagree.
 *
 * <h2>Checks</h2>
 * A reader refuses a checkpoint (and may fall back to an older one) when a shard is missing, its
 * size is not the manifest's, its magic, version, name lengths, width, stride, block count or
 * record total is wrong, it ends early or has bytes after the trailer, its CRC is not the one it
 * computes or the manifest's, a key lies outside the header's range, or its header disagrees
 * with the manifest (clock, table, range index, start, limit, width, stride, updater).
 */
public final class CheckpointFormat {
  private CheckpointFormat() {}

  /** The 8 magic bytes at the start of every shard: ASCII "YPSCHKPT". */
  public static final byte[] MAGIC = {'Y', 'P', 'S', 'C', 'H', 'K', 'P', 'T'};
  /** The format version this code writes and reads (shards and manifest). */
  public static final int VERSION = 1;
  /** The manifest's {@code format} member. */
  public static final String FORMAT_NAME = "yarnps-checkpoint";
  /** The manifest's name; its presence makes a checkpoint directory a checkpoint. */
  public static final String MANIFEST = "_MANIFEST";
  /** Where the manifest is written before its atomic rename; never read. */
  public static final String MANIFEST_TEMP = "_MANIFEST._COPYING_";
  /** File name prefix of checkpoint directories. */
  public static final String DIR_PREFIX = "ckpt-";
  /** File name suffix of shards. */
  public static final String SHARD_SUFFIX = ".shard";
  /** Most records in one block. */
  public static final int MAX_BLOCK_RECORDS = 65536;
  /** Longest table name, in UTF-8 bytes. */
  public static final int MAX_TABLE_NAME_BYTES = 4096;
  /** Longest updater name, in UTF-8 bytes. */
  public static final int MAX_UPDATER_NAME_BYTES = 256;
  /** Largest width (weights per key). */
  public static final int MAX_WIDTH = 1 << 20;
  /** Largest stride (floats per key). */
  public static final int MAX_STRIDE = 1 << 24;
  /** Bytes of the header before the table name. */
  static final int FIXED_HEADER_BYTES = 52;
  /** Bytes of the trailer: record total and CRC. */
  public static final int TRAILER_BYTES = 16;

  private static final Pattern DIR_NAME = Pattern.compile("ckpt-[0-9]{19}");
  private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");

  /** The directory name of the checkpoint at {@code clock}: {@code ckpt-} and 19 digits. */
  public static String dirName(long clock) {
    if (clock < 0) {
      throw new IllegalArgumentException("clock must be >= 0, got " + clock);
    }
    return String.format("%s%019d", DIR_PREFIX, clock);
  }

  /** The checkpoint directory of {@code clock} under {@code root}. */
  public static Path dir(Path root, long clock) {
    return new Path(root, dirName(clock));
  }

  /** The clock of a checkpoint directory name, or -1 when {@code name} is not one. */
  public static long clockOf(String name) {
    if (!DIR_NAME.matcher(name).matches()) {
      return -1;
    }
    try {
      return Long.parseLong(name.substring(DIR_PREFIX.length()));
    } catch (NumberFormatException e) {
      return -1; // 19 digits above Long.MAX_VALUE
    }
  }

  /** The shard file name of range {@code range}: the index in at least 5 digits, then ".shard". */
  public static String shardName(int range) {
    if (range < 0) {
      throw new IllegalArgumentException("range index must be >= 0, got " + range);
    }
    return String.format("%05d%s", range, SHARD_SUFFIX);
  }

  /** The path of a shard relative to its checkpoint directory: {@code <table>/<shardName>}. */
  public static String shardPath(String table, int range) {
    return checkTableName(table) + "/" + shardName(range);
  }

  /** Checks that {@code table} is a table name the format accepts, and returns it. */
  public static String checkTableName(String table) {
    if (!TABLE_NAME.matcher(table).matches()
        || table.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_TABLE_NAME_BYTES) {
      throw new IllegalArgumentException("bad table name '" + table
          + "' (letters, digits and _, starting with a letter, at most " + MAX_TABLE_NAME_BYTES + " bytes)");
    }
    return table;
  }

  /**
   * The checkpoint root of a job: {@code yarnps.checkpoint.dir}, or {@code <yarnps.output>/checkpoints}
   * when that is empty.
   */
  public static Path root(Configuration conf) {
    String dir = PsKeys.CHECKPOINT_DIR.get(conf);
    if (dir != null && !dir.isBlank()) {
      return new Path(dir.trim());
    }
    String output = PsKeys.OUTPUT.get(conf);
    if (output == null || output.isBlank()) {
      throw new IllegalArgumentException(PsKeys.CHECKPOINT_DIR.name() + " and " + PsKeys.OUTPUT.name()
          + " are both unset: no checkpoint directory");
    }
    return new Path(output.trim(), "checkpoints");
  }

  /** Bytes of one record of the given stride. */
  static int recordBytes(int stride) {
    return 8 + 4 * stride;
  }

  /** Whether {@code key} is in [start, limit), unsigned, limit 0 meaning 2^64. */
  static boolean inRange(long key, long start, long limit) {
    return Long.compareUnsigned(key, start) >= 0 && (limit == 0 || Long.compareUnsigned(key, limit) < 0);
  }

  /** Whether [start, limit) is a non-empty range: start below limit, or limit 0 (2^64). */
  static boolean isRange(long start, long limit) {
    return limit == 0 || Long.compareUnsigned(start, limit) < 0;
  }

  /** Whether the non-empty ranges [s1, l1) and [s2, l2) share a key. */
  static boolean intersects(long s1, long l1, long s2, long l2) {
    return (l2 == 0 || Long.compareUnsigned(s1, l2) < 0) && (l1 == 0 || Long.compareUnsigned(s2, l1) < 0);
  }

  /** An unsigned range for messages: {@code [start, limit)} with 2^64 spelled out. */
  static String rangeString(long start, long limit) {
    return "[" + Long.toUnsignedString(start) + ", " + (limit == 0 ? "2^64" : Long.toUnsignedString(limit)) + ")";
  }
}
