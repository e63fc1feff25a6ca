package yarnps.server;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import yarnps.checkpoint.Checkpoint;
import yarnps.checkpoint.CheckpointManifest;
import yarnps.checkpoint.CheckpointReader;
import yarnps.checkpoint.CorruptCheckpointException;
import yarnps.checkpoint.ShardHeader;
import yarnps.checkpoint.ShardWriter;
import yarnps.common.KeyLayout;
import yarnps.thrift.ShardInfo;

/**
 * A server's checkpoint files: writes the shards of the ranges it owns, and loads the ranges it
 * holds from a checkpoint cut by any layout. Several files at a time, since a file system's
 * per-file cost (HDFS close) dominates small shards; rows stream between the table and the file.
 */
final class CheckpointShards {
  /** Files written or read at the same time. */
  static final int PARALLEL_FILES = 16;

  private CheckpointShards() {}

  /**
   * Writes one shard per (table, range this server owns as primary) under {@code dir}, for the
   * cut at {@code clock}. Each range is streamed under its lock; the shard is closed after the
   * lock is released. Stops early once {@code cancelled} says so.
   *
   * @throws IOException naming the shard that failed (the directory then holds partial files,
   *     which no manifest will list)
   */
  static List<ShardInfo> write(int self, Configuration conf, List<TableShards> tables, long clock, String dir,
      BooleanSupplier cancelled) throws IOException {
    Path root = new Path(dir);
    FileSystem fs = root.getFileSystem(conf);
    List<Callable<ShardInfo>> tasks = new ArrayList<>();
    for (TableShards t : tables) {
      CheckpointManifest.TableEntry e = CheckpointManifest.TableEntry.of(t.spec());
      KeyLayout layout = t.layout();
      for (int r : t.primaryRanges()) {
        ShardHeader h = new ShardHeader(clock, e.name(), r, layout.rangeStart(r), layout.rangeLimit(r), e.width(),
            e.stride(), e.updater());
        tasks.add(() -> {
          if (cancelled.getAsBoolean()) {
            throw new IOException("checkpoint aborted before shard " + h.path() + " was written");
          }
          try (ShardWriter w = ShardWriter.create(fs, root, h)) {
            t.readRange(h.range(), w::writeTable);
            CheckpointManifest.ShardEntry s = w.finish();
            return new ShardInfo(s.table(), s.range(), s.path(), s.rows(), s.bytes(), s.crc());
          } catch (IOException | RuntimeException ex) {
            throw new IOException("server " + self + " writing shard " + h.path() + " under " + dir + ": "
                + ex.getMessage(), ex);
          }
        });
      }
    }
    return runAll("ckpt-write-" + self, tasks);
  }

  /**
   * Fills every range each of {@code fresh} holds (not yet serving) from the checkpoint, re-split
   * to their layout: a range reads every shard of the checkpoint that shares keys with it.
   * Returns the rows loaded.
   *
   * @throws CorruptCheckpointException naming the shard when one fails a check; the tables are
   *     then partly loaded and must be thrown away
   */
  static long load(int self, FileSystem fs, Path dir, List<TableShards> fresh) throws IOException {
    // One manifest read for every range: a Checkpoint is immutable, its reads share nothing.
    Checkpoint ckpt = new CheckpointReader(fs).open(dir);
    List<Callable<Long>> tasks = new ArrayList<>();
    for (TableShards t : fresh) {
      String name = t.spec().name();
      KeyLayout layout = t.layout();
      for (int r : t.heldRanges()) {
        long start = layout.rangeStart(r);
        long limit = layout.rangeLimit(r);
        tasks.add(() -> {
          long expected = 0;
          for (CheckpointManifest.ShardEntry s : ckpt.shardsIntersecting(name, start, limit)) {
            expected += s.rows();
          }
          return t.replaceRange(r, expected,
              table -> ckpt.readRange(name, start, limit, (key, row) -> table.putRow(key, row, 0)));
        });
      }
    }
    long rows = 0;
    for (long n : runAll("ckpt-load-" + self, tasks)) {
      rows += n;
    }
    return rows;
  }

  /** Runs the tasks on a few threads; the first failure cancels the rest and is thrown. */
  private static <T> List<T> runAll(String name, List<Callable<T>> tasks) throws IOException {
    if (tasks.isEmpty()) {
      return List.of();
    }
    AtomicInteger n = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(PARALLEL_FILES, tasks.size()), r -> {
      Thread t = new Thread(r, name + "-" + n.getAndIncrement());
      t.setDaemon(true);
      return t;
    });
    try {
      ExecutorCompletionService<T> done = new ExecutorCompletionService<>(pool);
      List<Future<T>> futures = new ArrayList<>();
      for (Callable<T> task : tasks) {
        futures.add(done.submit(task));
      }
      List<T> out = new ArrayList<>();
      for (int i = 0; i < tasks.size(); i++) {
        try {
          out.add(done.take().get());
        } catch (ExecutionException e) {
          futures.forEach(f -> f.cancel(true));
          Throwable c = e.getCause();
          if (c instanceof IOException io) {
            throw io;
          }
          throw new IOException(c.getClass().getSimpleName() + ": " + c.getMessage(), c);
        }
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException(name + " interrupted");
    } finally {
      pool.shutdownNow();
    }
  }
}
