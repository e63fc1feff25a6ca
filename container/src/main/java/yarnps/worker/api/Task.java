package yarnps.worker.api;

import java.util.concurrent.CompletableFuture;

/**
 * A push or pull in flight: a future with the timestamp the client gave it. Timestamps increase
 * in the order calls were made on one client, so a job can name earlier tasks it depends on
 * ({@link ParameterClient#waitFor}), as the paper's execute-after-finished dependencies; or chain
 * the next task on this one without blocking ({@code task.thenCompose(v -> ps.push(...))}).
 *
 * @param <T> what the task yields
 */
public class Task<T> extends CompletableFuture<T> {
  private final long timestamp;

  public Task(long timestamp) {
    this.timestamp = timestamp;
  }

  /** This task's timestamp: 1 for a client's first call, then increasing. */
  public long timestamp() {
    return timestamp;
  }

  @Override
  public <U> CompletableFuture<U> newIncompleteFuture() {
    return new CompletableFuture<>();
  }

  @Override
  public String toString() {
    return "Task(" + timestamp + ", " + super.toString() + ")";
  }
}
