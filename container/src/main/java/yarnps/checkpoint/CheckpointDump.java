package yarnps.checkpoint;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import yarnps.checkpoint.CheckpointManifest.ShardEntry;
import yarnps.checkpoint.CheckpointManifest.TableEntry;
import yarnps.checkpoint.CheckpointReader.CheckpointDir;

/**
 * Lists, verifies and prints checkpoints (see {@link CheckpointFormat}). Paths may be on any Hadoop
 * file system ({@code hdfs://...}, {@code file:///...}, or relative to the default one).
 *
 * <pre>
 * java -cp yarnps.jar:$(hadoop classpath) yarnps.checkpoint.CheckpointDump list hdfs:///out/lr/checkpoints
 * hadoop jar yarnps.jar yarnps.checkpoint.CheckpointDump verify hdfs:///out/lr/checkpoints/ckpt-0000000000000000120
 * hadoop jar yarnps.jar yarnps.checkpoint.CheckpointDump dump hdfs:///out/lr/checkpoints/ckpt-0000000000000000120 w 10
 * </pre>
 *
 * <ul>
 *   <li>{@code list <root>}: one line per checkpoint directory, newest first: its name, clock,
 *       creation time, tables (name:width:updater), shards, rows and bytes; or
 *       {@code incomplete (no _MANIFEST)}, or why its manifest is unreadable.
 *   <li>{@code verify <checkpoint dir>}: reads every shard whole and checks it against the
 *       manifest; one line per shard ({@code OK <path> rows=.. bytes=.. crc=..}), then
 *       {@code OK checkpoint ...}, or {@code CORRUPT <file>: <reason>}.
 *   <li>{@code dump <checkpoint dir> <table> [max rows]}: one line per key,
 *       {@code key<TAB>w1,w2,...}, the key in unsigned decimal, the weights (not the updater state)
 *       as {@link Float#toString} writes them; shards in range order, rows in stored order. Rows
 *       are printed as they are read: a shard that turns out corrupt ends the output with exit 1.
 * </ul>
 * Exits 0 on success, 1 when a checkpoint is unreadable or corrupt, 2 on bad usage.
 */
public final class CheckpointDump {
  public static final int EXIT_OK = 0;
  public static final int EXIT_BAD_CHECKPOINT = 1;
  public static final int EXIT_USAGE = 2;

  private static final String USAGE = "usage: CheckpointDump list <root> | verify <checkpoint dir>"
      + " | dump <checkpoint dir> <table> [max rows]";

  private CheckpointDump() {}

  public static void main(String[] args) {
    Writer out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
    PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
    System.exit(run(args, new Configuration(), out, err));
  }

  /** Runs one command, writing results to {@code out} and errors to {@code err}; returns the exit code. */
  public static int run(String[] args, Configuration conf, Writer out, PrintWriter err) {
    try {
      try {
        return runCommand(args, conf, out);
      } finally {
        out.flush();
      }
    } catch (UsageException e) {
      err.println(e.getMessage());
      err.println(USAGE);
      return EXIT_USAGE;
    } catch (CorruptCheckpointException e) {
      err.println("CORRUPT " + e.getMessage());
      return EXIT_BAD_CHECKPOINT;
    } catch (IOException | IllegalArgumentException e) {
      err.println("CheckpointDump: " + e.getMessage());
      return EXIT_BAD_CHECKPOINT;
    }
  }

  private static int runCommand(String[] args, Configuration conf, Writer out) throws IOException {
    if (args.length < 2) {
      throw new UsageException("missing arguments");
    }
    Path path = new Path(args[1]);
    FileSystem fs = path.getFileSystem(conf);
    CheckpointReader reader = new CheckpointReader(fs);
    switch (args[0]) {
      case "list" -> {
        expectArgs(args, 2, 2);
        list(reader, path, out);
      }
      case "verify" -> {
        expectArgs(args, 2, 2);
        verify(reader.open(path), out);
      }
      case "dump" -> {
        expectArgs(args, 3, 4);
        long max = Long.MAX_VALUE;
        if (args.length == 4) {
          try {
            max = Long.parseLong(args[3]);
          } catch (NumberFormatException e) {
            max = -1;
          }
          if (max < 0) {
            throw new UsageException("max rows must be an integer >= 0, got '" + args[3] + "'");
          }
        }
        dump(reader.open(path), args[2], max, out);
      }
      default -> throw new UsageException("unknown command '" + args[0] + "'");
    }
    return EXIT_OK;
  }

  private static void expectArgs(String[] args, int min, int max) {
    if (args.length < min || args.length > max) {
      throw new UsageException(args[0] + ": wrong number of arguments");
    }
  }

  private static void list(CheckpointReader reader, Path root, Writer out) throws IOException {
    for (CheckpointDir c : reader.scan(root)) {
      out.append(c.dir().getName()).append("  clock=").append(Long.toString(c.clock())).append("  ");
      if (!c.complete()) {
        out.append("incomplete (no ").append(CheckpointFormat.MANIFEST).append(")\n");
        continue;
      }
      CheckpointManifest m;
      try {
        m = reader.open(c.dir()).manifest();
      } catch (CorruptCheckpointException e) {
        out.append("unreadable: ").append(e.getMessage()).append('\n');
        continue;
      }
      out.append("created=").append(Instant.ofEpochMilli(m.createdMs()).toString()).append("  tables=");
      String sep = "";
      for (TableEntry t : m.tables()) {
        out.append(sep).append(t.name()).append(':').append(Integer.toString(t.width())).append(':').append(t.updater());
        sep = ",";
      }
      out.append("  ranges=").append(Integer.toString(m.layout().numRanges()))
          .append("  shards=").append(Integer.toString(m.shards().size()))
          .append("  rows=").append(Long.toString(m.totalRows()))
          .append("  bytes=").append(Long.toString(m.totalBytes())).append('\n');
    }
  }

  private static void verify(Checkpoint ckpt, Writer out) throws IOException {
    for (ShardEntry s : ckpt.manifest().shards()) {
      ShardReader.Stats st = ckpt.readShard(s, (key, row) -> { });
      out.append("OK ").append(s.path()).append(" rows=").append(Long.toString(st.rows()))
          .append(" bytes=").append(Long.toString(st.bytes()))
          .append(" crc=").append(Long.toHexString(st.crc())).append('\n');
    }
    out.append("OK checkpoint ").append(ckpt.dir().toString()).append(" clock=")
        .append(Long.toString(ckpt.clock())).append(" shards=").append(Integer.toString(ckpt.manifest().shards().size()))
        .append(" rows=").append(Long.toString(ckpt.manifest().totalRows())).append('\n');
  }

  private static void dump(Checkpoint ckpt, String table, long max, Writer out) throws IOException {
    int width = ckpt.manifest().table(table).width();
    StringBuilder line = new StringBuilder(256);
    long[] printed = {0};
    try {
      for (ShardEntry s : ckpt.manifest().shardsOf(table)) {
        ckpt.readShard(s, (key, row) -> {
          if (printed[0] == max) {
            throw new Enough();
          }
          line.setLength(0);
          line.append(Long.toUnsignedString(key));
          for (int j = 0; j < width; j++) {
            line.append(j == 0 ? '\t' : ',').append(row[j]);
          }
          out.append(line).append('\n');
          printed[0]++;
        });
      }
    } catch (Enough e) {
      // the row limit was reached
    }
  }

  /** Stops a dump at its row limit, from inside the row callback. */
  private static final class Enough extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Enough() {
      super(null, null, false, false);
    }
  }

  private static final class UsageException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }
}
