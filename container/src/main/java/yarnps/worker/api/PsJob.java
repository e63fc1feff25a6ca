package yarnps.worker.api;

import java.util.List;
import yarnps.conf.ConfigKey;

/**
 * A training job: the user class that every worker container runs.
 *
 * <p>The class named by {@code yarnps.job.class} lives in the job jar and has a public no-argument
 * constructor. Each worker makes one instance and calls {@link #run} once; again, on the same
 * instance, when the AM rolled the parameters back to a checkpoint (a lost server without replicas),
 * and then the run starts at {@link WorkerContext#resumeClock()}. Returning normally means this
 * worker finished; throwing fails the job with the exception's message as the diagnostic.
 *
 * <pre>{@code
 * public final class MyJob implements PsJob {
 *   public void run(WorkerContext ctx) throws Exception {
 *     ParameterClient ps = ctx.params();
 *     for (InputSplit split : ctx.splits("train")) {
 *       try (LineReader in = ctx.openLines(split)) {
 *         while (in.next()) { ... parse in.bytes()[0, in.length()) ... }
 *       }
 *     }
 *     float[] w = ps.pull("w", keys).get();   // keys sorted ascending (unsigned), unique
 *     ps.push("w", keys, gradients).get();
 *   }
 * }
 * }</pre>
 */
public interface PsJob {

  /**
   * The prefix of this job's own configuration keys (for example {@code "lr."}), or null when it
   * has none. The client rejects a submitted key with this prefix that {@link #configKeys} does
   * not declare, naming it.
   */
  default String configPrefix() {
    return null;
  }

  /** The job's own configuration keys; each is parsed at submit so a bad value is rejected early. */
  default List<ConfigKey<?>> configKeys() {
    return List.of();
  }

  /** Trains on this worker's splits. Called once per worker container. */
  void run(WorkerContext ctx) throws Exception;
}
