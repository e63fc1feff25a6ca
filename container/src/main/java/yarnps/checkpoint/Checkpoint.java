package yarnps.checkpoint;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.ChecksumException;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import yarnps.checkpoint.CheckpointManifest.ShardEntry;

/**
 * A committed checkpoint, opened by {@link CheckpointReader#open}: its manifest, and its shards
 * read back with every check of {@link CheckpointFormat}.
 *
 * <p>A server restoring key range [start, limit) of table {@code w}, whatever layout the
 * checkpoint was cut by:
 * <pre>{@code
 * SparseTable t = new SparseTable(width, updater, init, 1024);
 * ckpt.readRange("w", start, limit, (key, row) -> t.putRow(key, row, 0));
 * }</pre>
 * Rows are handed over as they are read, before the shard's checksum at its end is checked: when a
 * read throws, whatever the sink received must be thrown away. Immutable: threads may read shards
 * of one Checkpoint at the same time (each read opens its own stream).
 */
public final class Checkpoint {

  /** How much of a checkpoint {@link #verify} reads. */
  public enum Verification {
    /**
     * Every shard exists with the manifest's size, its header agrees with the manifest, and its
     * trailer holds the manifest's record count and CRC; the rows are not read. Catches missing,
     * truncated, mixed-up and overwritten shards, not flipped bits inside the data.
     */
    QUICK,
    /** Everything {@link #QUICK} checks, and every shard is read whole and its CRC computed. */
    FULL
  }

  private final FileSystem fs;
  private final Path dir;
  private final CheckpointManifest manifest;

  Checkpoint(FileSystem fs, Path dir, CheckpointManifest manifest) {
    this.fs = fs;
    this.dir = dir;
    this.manifest = manifest;
  }

  /** The checkpoint directory. */
  public Path dir() {
    return dir;
  }

  public long clock() {
    return manifest.clock();
  }

  public CheckpointManifest manifest() {
    return manifest;
  }

  /**
   * Checks every shard against the manifest, as deep as {@code level} says.
   *
   * @throws CorruptCheckpointException naming the first shard found at fault and why
   * @throws IOException if the file system fails otherwise
   */
  public void verify(Verification level) throws IOException {
    if (level == Verification.FULL) {
      for (ShardEntry s : manifest.shards()) {
        readShard(s, (key, row) -> { });
      }
      return;
    }
    Map<Path, Long> sizes = new HashMap<>();
    Set<Path> listed = new HashSet<>();
    for (ShardEntry s : manifest.shards()) {
      Path p = fs.makeQualified(new Path(dir, s.path()));
      if (listed.add(p.getParent())) {
        try {
          for (FileStatus st : fs.listStatus(p.getParent())) {
            sizes.put(fs.makeQualified(st.getPath()), st.getLen());
          }
        } catch (FileNotFoundException e) {
          // every shard of the table is missing: reported below
        }
      }
      Long len = sizes.get(p);
      if (len == null) {
        throw corrupt(s, "missing");
      }
      checkSize(s, len);
      try (FSDataInputStream in = fs.open(p)) {
        checkHeader(s, new ShardReader(in, s.path()));
        in.seek(len - CheckpointFormat.TRAILER_BYTES);
        long rows = in.readLong();
        long crc = in.readLong();
        if (rows != s.rows() || crc != s.crc()) {
          throw corrupt(s, "trailer holds " + rows + " records and CRC32 " + Long.toHexString(crc)
              + ", the manifest says " + s.rows() + " and " + Long.toHexString(s.crc()));
        }
      } catch (ChecksumException e) {
        throw corrupt(s, "file system checksum error: " + e.getMessage());
      }
    }
  }

  /**
   * Reads one shard whole, handing every row to {@code sink}, and checks it against the manifest:
   * existence, size, header, record count, CRC (both the trailer's and the manifest's).
   *
   * @throws CorruptCheckpointException naming the shard and what is wrong with it
   */
  public ShardReader.Stats readShard(ShardEntry shard, ShardReader.RowSink sink) throws IOException {
    Path p = new Path(dir, shard.path());
    long len;
    try {
      len = fs.getFileStatus(p).getLen();
    } catch (FileNotFoundException e) {
      throw corrupt(shard, "missing");
    }
    checkSize(shard, len);
    try (FSDataInputStream in = fs.open(p)) {
      ShardReader reader = new ShardReader(in, shard.path());
      checkHeader(shard, reader);
      ShardReader.Stats st = reader.readRows(sink);
      if (st.rows() != shard.rows()) {
        throw corrupt(shard, "holds " + st.rows() + " records, the manifest says " + shard.rows());
      }
      if (st.crc() != shard.crc()) {
        throw corrupt(shard, "CRC32 " + Long.toHexString(st.crc()) + " differs from the manifest's "
            + Long.toHexString(shard.crc()) + " (a valid shard, but not the one committed)");
      }
      return st;
    } catch (ChecksumException e) {
      throw corrupt(shard, "file system checksum error: " + e.getMessage());
    } catch (FileNotFoundException e) {
      throw corrupt(shard, "missing");
    }
  }

  /**
   * The shards of {@code table} whose range shares a key with [start, limit) (unsigned, limit 0
   * meaning 2^64), in range order.
   */
  public List<ShardEntry> shardsIntersecting(String table, long start, long limit) {
    checkRange(start, limit);
    List<ShardEntry> out = new ArrayList<>();
    for (ShardEntry s : manifest.shardsOf(table)) {
      int r = s.range();
      if (CheckpointFormat.intersects(manifest.layout().rangeStart(r), manifest.layout().rangeLimit(r), start, limit)) {
        out.add(s);
      }
    }
    return out;
  }

  /**
   * Reads every row of {@code table} with a key in [start, limit) (unsigned, limit 0 meaning 2^64)
   * into {@code sink}: all shards whose range intersects it are read whole and checked, and their
   * rows outside it skipped. This is how a server loads its ranges from a checkpoint cut by another
   * layout (another number of servers).
   *
   * @return the rows handed to the sink
   * @throws CorruptCheckpointException when a shard read fails a check
   */
  public long readRange(String table, long start, long limit, ShardReader.RowSink sink) throws IOException {
    long[] count = {0};
    for (ShardEntry s : shardsIntersecting(table, start, limit)) {
      int r = s.range();
      long rs = manifest.layout().rangeStart(r);
      long rl = manifest.layout().rangeLimit(r);
      boolean inside = Long.compareUnsigned(rs, start) >= 0
          && (limit == 0 || (rl != 0 && Long.compareUnsigned(rl, limit) <= 0));
      if (inside) {
        count[0] += readShard(s, sink).rows();
      } else {
        readShard(s, (key, row) -> {
          if (CheckpointFormat.inRange(key, start, limit)) {
            count[0]++;
            sink.row(key, row);
          }
        });
      }
    }
    return count[0];
  }

  private static void checkRange(long start, long limit) {
    if (!CheckpointFormat.isRange(start, limit)) {
      throw new IllegalArgumentException("empty key range " + CheckpointFormat.rangeString(start, limit));
    }
  }

  private void checkSize(ShardEntry s, long len) throws CorruptCheckpointException {
    if (len != s.bytes()) {
      throw corrupt(s, (len < s.bytes() ? "truncated: " : "wrong size: ") + len + " bytes, the manifest says "
          + s.bytes());
    }
  }

  private void checkHeader(ShardEntry s, ShardReader reader) throws CorruptCheckpointException {
    List<String> diff = manifest.expectedHeader(s).differences(reader.header());
    if (!diff.isEmpty()) {
      throw corrupt(s, "header disagrees with the manifest: " + String.join("; ", diff));
    }
  }

  private static CorruptCheckpointException corrupt(ShardEntry s, String reason) {
    return new CorruptCheckpointException(s.path(), reason);
  }

  @Override
  public String toString() {
    return dir + " " + manifest;
  }
}
