package yarnps.worker;

import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import yarnps.conf.PsKeys;
import yarnps.runtime.ContainerEnv;
import yarnps.runtime.CoordinatorClient;
import yarnps.runtime.ExitCodes;
import yarnps.runtime.Heartbeater;
import yarnps.runtime.JobConf;
import yarnps.thrift.Command;
import yarnps.thrift.FinishRequest;
import yarnps.thrift.Role;
import yarnps.worker.api.PsJob;

/**
 * Entry point of a worker container: connects to the AM and the servers, runs the user's
 * {@link PsJob}, and tells the AM how it ended. The job's failure message (for example a malformed
 * line's file and line) becomes the AM's diagnostic.
 */
public final class WorkerMain {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerMain.class);

  private WorkerMain() {}

  /** Runs one worker to the end and returns its exit code. */
  static int run(Configuration conf, ContainerEnv env) {
    CoordinatorClient am = new CoordinatorClient(env.amHost(), env.amPort(), PsKeys.RPC_TIMEOUT_MS.get(conf));
    AtomicReference<Command> command = new AtomicReference<>();
    Thread main = Thread.currentThread();
    try (WorkerRuntime ctx = new WorkerRuntime(conf, env, am)) {
      Heartbeater hb = new Heartbeater(am, Role.WORKER, env.index(), PsKeys.HEARTBEAT_MS.get(conf), 30,
          new Heartbeater.Source() {
            @Override
            public long clock() {
              return ctx.clock();
            }

            @Override
            public double progress() {
              return ctx.progressValue();
            }

            @Override
            public Map<String, Double> metrics() {
              return ctx.heartbeatMetrics();
            }
          }, c -> {
            if (c == Command.ABORT && command.compareAndSet(null, c)) {
              LOG.warn("worker {}: the AM aborted the job", env.index());
              main.interrupt();
            }
          }).start();
      String diagnostics = "";
      boolean ok;
      try {
        ctx.connect();
        PsJob job = loadJob(conf);
        LOG.info("worker {} running {}", env.index(), job.getClass().getName());
        job.run(ctx);
        ctx.leaveClockGroup();
        ok = true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        ok = false;
        diagnostics = "worker " + env.index() + " interrupted";
      } catch (Exception e) {
        ok = false;
        diagnostics = "worker " + env.index() + ": " + message(e);
        LOG.error("worker {} failed", env.index(), e);
      }
      if (command.get() == Command.ABORT) {
        hb.close();
        return ExitCodes.ABORTED;
      }
      try {
        hb.beat();
        hb.close();
        am.finish(new FinishRequest(Role.WORKER, env.index(), ok, diagnostics));
      } catch (java.io.IOException e) {
        LOG.error("worker {} could not report its end to the AM", env.index(), e);
        return ok ? ExitCodes.INTERNAL_ERROR : ExitCodes.JOB_FAILED;
      }
      return ok ? ExitCodes.OK : ExitCodes.JOB_FAILED;
    } finally {
      am.close();
    }
  }

  private static String message(Throwable e) {
    Throwable t = e;
    while ((t instanceof java.util.concurrent.ExecutionException || t instanceof java.util.concurrent.CompletionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getName() : t.getMessage();
  }

  static PsJob loadJob(Configuration conf) throws ReflectiveOperationException {
    String name = PsKeys.JOB_CLASS.require(conf);
    Class<?> cls = Class.forName(name, true, Thread.currentThread().getContextClassLoader());
    if (!PsJob.class.isAssignableFrom(cls)) {
      throw new ClassCastException(name + " does not implement " + PsJob.class.getName());
    }
    return (PsJob) cls.getDeclaredConstructor().newInstance();
  }

  public static void main(String[] args) {
    JobConf.Startup startup = JobConf.startOrExit("worker");
    ContainerEnv env = startup.env();
    int code = run(startup.conf(), env);
    LOG.info("worker {} exiting with {} ({})", env.index(), code, ExitCodes.describe(code));
    System.exit(code);
  }
}
