package yarnps.examples.lr;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.hadoop.conf.Configuration;
import yarnps.common.KeyArrays;
import yarnps.conf.TableSpec;
import yarnps.server.store.SparseTable;
import yarnps.server.store.Updaters;
import yarnps.worker.api.KeyList;
import yarnps.worker.api.ParameterClient;
import yarnps.worker.api.Task;

/**
 * One table served in-process by the real server store and updater, answering on a single
 * thread of its own, so calls complete asynchronously and in the order they were made. Checks
 * the client contract (sorted unique keys, array sizes) as the real client does.
 */
final class LocalParameterClient implements ParameterClient, AutoCloseable {
  private final String name;
  private final SparseTable table;
  private final ExecutorService thread = Executors.newSingleThreadExecutor();
  long keysPushed;
  private long timestamp;
  private long clock;

  LocalParameterClient(String name, Configuration conf) {
    TableSpec spec = TableSpec.fromConf(name, conf);
    this.name = name;
    this.table = new SparseTable(spec.width(), Updaters.create(spec), spec.initializer(), 1024);
  }

  SparseTable table() {
    return table;
  }

  @Override
  public int width(String t) {
    check(t);
    return table.width();
  }

  private void check(String t) {
    if (!t.equals(name)) {
      throw new IllegalArgumentException("no table " + t);
    }
  }

  private void check(String t, long[] keys, int values) {
    check(t);
    if (!KeyArrays.isSortedUnique(keys, 0, keys.length)) {
      throw new IllegalArgumentException("keys not sorted unique");
    }
    if (values < keys.length * table.width()) {
      throw new IllegalArgumentException(values + " values for " + keys.length + " keys");
    }
  }

  @Override
  public KeyList keys(long[] keys) {
    if (!KeyArrays.isSortedUnique(keys, 0, keys.length)) {
      throw new IllegalArgumentException("keys not sorted unique");
    }
    return new KeyList() {
      @Override
      public long[] keys() {
        return keys;
      }

      @Override
      public int size() {
        return keys.length;
      }
    };
  }

  @Override
  public Task<Void> push(String t, KeyList keys, float[] values) {
    return push(t, keys.keys(), values);
  }

  @Override
  public Task<float[]> pull(String t, KeyList keys, float[] out) {
    return pull(t, keys.keys(), out);
  }

  @Override
  public Task<Void> push(String t, long[] keys, float[] values) {
    check(t, keys, values.length);
    Task<Void> task = new Task<>(++timestamp);
    thread.execute(() -> {
      table.push(keys, 0, keys.length, values, 0);
      keysPushed += keys.length;
      task.complete(null);
    });
    return task;
  }

  @Override
  public Task<float[]> pull(String t, long[] keys) {
    return pull(t, keys, new float[keys.length * table.width()]);
  }

  @Override
  public Task<float[]> pull(String t, long[] keys, float[] out) {
    check(t, keys, out.length);
    Task<float[]> task = new Task<>(++timestamp);
    thread.execute(() -> {
      table.pull(keys, 0, keys.length, out, 0);
      task.complete(out);
    });
    return task;
  }

  @Override
  public void waitFor(long... timestamps) throws InterruptedException {
    // Calls run in order on one thread: waiting for a no-op queued now waits for all earlier ones.
    try {
      CompletableFuture.runAsync(() -> { }, thread).get();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public long clock() {
    return clock;
  }

  @Override
  public CompletableFuture<Void> leaveClockGroup() {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> advanceClock() {
    clock++;
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<List<SavedPart>> save(String t, String dir) {
    return CompletableFuture.failedFuture(new UnsupportedOperationException("the local test client does not save"));
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
