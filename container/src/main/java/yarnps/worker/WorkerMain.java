package yarnps.worker;

import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import yarnps.conf.PsKeys;
import yarnps.runtime.AmLocator;
import yarnps.runtime.ContainerEnv;
import yarnps.runtime.CoordinatorClient;
import yarnps.runtime.ExitCodes;
import yarnps.runtime.Heartbeater;
import yarnps.runtime.JobConf;
import yarnps.thrift.Command;
import yarnps.thrift.FinishRequest;
import yarnps.thrift.HeartbeatResponse;
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
    // A rollback the AM ordered and this worker has not carried out yet.
    AtomicReference<HeartbeatResponse> rollback = new AtomicReference<>();
    java.util.concurrent.atomic.AtomicLong seenRollback = new java.util.concurrent.atomic.AtomicLong();
    Thread main = Thread.currentThread();
    // What the worker does with the AM's commands, from the heartbeat thread (and from the main
    // thread when a run failed, to learn whether a rollback is behind the failure).
    Listener onCommand = new Listener();
    try (WorkerRuntime ctx = new WorkerRuntime(conf, env, am)) {
      AmLocator locator = AmLocator.fromEnvironment(conf);
      if (locator != null) {
        am.followAm(locator, PsKeys.RECOVERY_TIMEOUT_MS.get(conf), ctx::registration);
      }
      onCommand.set(r -> {
            if (r.getCommand() == Command.ABORT && command.compareAndSet(null, Command.ABORT)) {
              LOG.warn("worker {}: the AM aborted the job", env.index());
              main.interrupt();
            } else if (r.getCommand() == Command.ROLLBACK && r.getRollbackId() > seenRollback.get()) {
              // The AM repeats the order until this worker's heartbeat echoes the id: act once.
              seenRollback.set(r.getRollbackId());
              LOG.warn("worker {}: the AM rolled the parameters back to clock {} (rollback {}): stopping this run",
                  env.index(), r.getResumeClock(), r.getRollbackId());
              rollback.set(r);
              // Fails every pending call (none is resent): the job stops at its next call to the
              // servers. Then the AM hears that this worker holds no call of the old parameters,
              // and publishes the restored layout once every worker said so.
              ctx.disconnect();
              ctx.acknowledgeRollback(r.getRollbackId());
            }
          });
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
          }, r -> onCommand.accept(r)).start();
      String diagnostics = "";
      boolean ok = false;
      try {
        ctx.connect();
        PsJob job = loadJob(conf);
        while (true) {
          LOG.info("worker {} running {} from clock {}", env.index(), job.getClass().getName(), ctx.resumeClock());
          try {
            job.run(ctx);
            if (rollback.get() == null) {
              ctx.leaveClockGroup();
            }
          } catch (Exception e) {
            if (rollback.get() == null) {
              // A rollback may have ended this run before this worker's heartbeat heard of it (a
              // barrier the AM ended, a call to a lost server): ask the AM now.
              try {
                onCommand.accept(hb.beat());
              } catch (java.io.IOException beat) {
                LOG.warn("worker {}: cannot ask the AM why the run failed: {}", env.index(), beat.getMessage());
              }
            }
            if (rollback.get() == null) {
              throw e;
            }
            LOG.info("worker {}: this run ended for the rollback: {}", env.index(), message(e));
          }
          HeartbeatResponse order = rollback.getAndSet(null);
          if (order == null) {
            ok = true;
            break;
          }
          ctx.rollback(order);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        diagnostics = "worker " + env.index() + " interrupted";
      } catch (Exception e) {
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

  /** Passes heartbeat answers to the handler set once the runtime exists. */
  private static final class Listener implements java.util.function.Consumer<HeartbeatResponse> {
    private volatile java.util.function.Consumer<HeartbeatResponse> handler = r -> { };

    void set(java.util.function.Consumer<HeartbeatResponse> h) {
      handler = h;
    }

    @Override
    public synchronized void accept(HeartbeatResponse r) {
      handler.accept(r);
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
