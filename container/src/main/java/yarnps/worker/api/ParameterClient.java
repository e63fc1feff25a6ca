package yarnps.worker.api;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Range push and pull of (key, value) lists to the parameter servers. Every call returns at once
 * with a future; the key list is sliced by the layout's key ranges and the slices go to their
 * servers in parallel; the future completes when every slice is answered (or fails with the first
 * error, which names the server).
 *
 * <p>Keys are unsigned 64-bit integers and must be sorted ascending in unsigned order
 * ({@link Long#compareUnsigned}) without duplicates; {@link yarnps.common.KeyArrays#sortUnique}
 * makes such a list. Values are row-major: key {@code i} owns
 * {@code values[i * width, (i + 1) * width)} where width is the table's
 * ({@code yarnps.table.NAME.width}). The arrays must not change until the future completes.
 *
 * <p>Futures complete on the client's I/O thread: keep callbacks short, or chain heavy work with
 * the {@code ...Async} methods of {@link CompletableFuture}. Calls past the client's in-flight
 * bound ({@code yarnps.rpc.max.in.flight} per connection) wait until earlier ones are answered.
 */
public interface ParameterClient {

  /** Values per key of a table. */
  int width(String table);

  /**
   * Prepares keys (sorted ascending, unique) for repeated calls: slicing, signatures and key
   * blocks are computed once, and with key caching repeated calls send no keys. Use it when the
   * same keys are pulled and then pushed, or sent every epoch.
   */
  KeyList keys(long[] keys);

  /** {@link #push(String, long[], float[])} for a prepared key list. */
  Task<Void> push(String table, KeyList keys, float[] values);

  /** {@link #pull(String, long[], float[])} for a prepared key list. */
  Task<float[]> pull(String table, KeyList keys, float[] out);

  /** Sends updates (gradients or deltas, per the table's updater) for the keys. */
  Task<Void> push(String table, long[] keys, float[] values);

  /** Reads the current values of the keys into a new array of keys.length * width floats. */
  Task<float[]> pull(String table, long[] keys);

  /** Reads the current values of the keys into {@code out}, which holds at least keys.length * width floats. */
  Task<float[]> pull(String table, long[] keys, float[] out);

  /**
   * Waits until the tasks with these timestamps have finished (successfully or not): a task that
   * must run after given earlier ones calls this first. Timestamps of tasks that finished long
   * ago return at once.
   */
  void waitFor(long... timestamps) throws InterruptedException;

  /**
   * This worker's clock: pushes and pulls carry it, and the servers enforce the job's consistency
   * model ({@code yarnps.consistency}) with it. Starts at 0.
   */
  long clock();

  /**
   * Ends this worker's current iteration: later calls carry the next clock, and once every push
   * issued so far is acknowledged the servers are told, which is what pulls of other workers under
   * sequential or bounded-delay consistency wait for. Returns at once; the future completes when
   * every server knows.
   */
  CompletableFuture<Void> advanceClock();

  /**
   * This worker is done with its iterations (its data is used up): once its pushes so far are
   * acknowledged, it leaves the clock group, and no server makes another worker's pull wait for
   * it. Call it when training ends, before waiting for other workers (a barrier), or a worker
   * with more data left would wait for this one forever under sequential or bounded-delay
   * consistency. The runtime also leaves when the job returns.
   */
  CompletableFuture<Void> leaveClockGroup();

  /**
   * Every server writes its part of the table under {@code dir} on the job's file system, in the
   * model format ({@code yarnps.model.ModelFormat}); the future yields one entry per server.
   */
  CompletableFuture<List<SavedPart>> save(String table, String dir);

  /** One server's saved part of a table. */
  record SavedPart(int server, String path, long keys, long bytes) {}
}
