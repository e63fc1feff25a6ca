package yarnps.server;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import yarnps.common.KeyLayout;
import yarnps.conf.PsKeys;
import yarnps.conf.TableSpec;
import yarnps.runtime.AmLocator;
import yarnps.runtime.ContainerEnv;
import yarnps.runtime.CoordinatorClient;
import yarnps.runtime.ExitCodes;
import yarnps.runtime.Heartbeater;
import yarnps.runtime.JobConf;
import yarnps.thrift.Command;
import yarnps.thrift.Layout;
import yarnps.thrift.RegisterRequest;
import yarnps.thrift.Role;

/**
 * A parameter server: serves ParameterService for its key ranges, registers with the AM, waits
 * for the layout, then heartbeats until the AM says the job is over.
 */
public final class ParameterServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ParameterServer.class);

  private final Configuration conf;
  private final ContainerEnv env;
  private final ParameterHandler handler;
  private final BlockingQueue<Command> commands = new ArrayBlockingQueue<>(4);
  private CoordinatorClient am;
  private DataPlaneServer rpc;
  private Heartbeater heartbeater;

  public ParameterServer(Configuration conf, ContainerEnv env) {
    this.conf = conf;
    this.env = env;
    List<TableSpec> specs = TableSpec.allFromConf(conf);
    this.handler = new ParameterHandler(env.index(), conf, specs);
  }

  /** Starts serving, registers, and installs the layout once every server has registered. */
  public void start() throws IOException, InterruptedException {
    rpc = DataPlaneServer.start("ps-server-" + env.index(), handler, handler, conf, 0);
    String host = JobConf.localHost();
    LOG.info("server {} serving on {}:{}", env.index(), host, rpc.port());
    am = new CoordinatorClient(env.amHost(), env.amPort(), PsKeys.RPC_TIMEOUT_MS.get(conf));
    int port = rpc.port();
    java.util.function.Supplier<RegisterRequest> registration = () -> {
      RegisterRequest r = new RegisterRequest(Role.SERVER, env.index(), env.containerId(), host, port);
      r.setLayoutVersion(handler.layoutVersion());
      return r;
    };
    AmLocator locator = AmLocator.fromEnvironment(conf);
    if (locator != null) {
      am.followAm(locator, PsKeys.RECOVERY_TIMEOUT_MS.get(conf), registration);
    }
    if (am.layout().getVersion() > 0) {
      // The job's layout exists before this server registered: it replaces a lost one, and serves
      // once its ranges are restored (from its peers or a checkpoint).
      handler.markRecovering();
      LOG.info("server {} starts as a replacement: requests are refused until its ranges are restored", env.index());
    }
    am.register(registration.get());
    heartbeater = new Heartbeater(am, Role.SERVER, env.index(), PsKeys.HEARTBEAT_MS.get(conf), 30,
        new Heartbeater.Source() {
          @Override
          public long clock() {
            return 0;
          }

          @Override
          public double progress() {
            return 0;
          }

          @Override
          public Map<String, Double> metrics() {
            return handler.gauges();
          }
        }, r -> commands.offer(r.getCommand())).start();
    Layout layout = awaitLayout(am, PsKeys.HEARTBEAT_MS.get(conf));
    try {
      if (handler.installAtStart(layout)) {
        LOG.info("server {} installed layout version {} ({} ranges)", env.index(), layout.getVersion(),
            layout.getRangesSize());
      } else {
        LOG.info("server {} already holds layout version {} from the AM", env.index(), handler.layoutVersion());
      }
    } catch (yarnps.thrift.PsError e) {
      throw new IOException("server " + env.index() + " cannot install layout " + layout.getVersion() + ": "
          + e.getMessage(), e);
    }
  }

  /** Polls the AM until the layout is ready (version > 0). */
  public static Layout awaitLayout(CoordinatorClient am, long pollMs) throws IOException, InterruptedException {
    return awaitLayout(am, pollMs, 1);
  }

  /** Polls the AM until its layout has at least the given version (and is ready). */
  public static Layout awaitLayout(CoordinatorClient am, long pollMs, long minVersion)
      throws IOException, InterruptedException {
    long wait = 50;
    while (true) {
      Layout layout = am.layout();
      if (layout.getVersion() >= Math.max(1, minVersion)) {
        return layout;
      }
      Thread.sleep(wait);
      wait = Math.min(pollMs, wait * 2);
    }
  }

  /** Blocks until the AM ends the job; returns the exit code. */
  public int awaitEnd() throws InterruptedException {
    while (true) {
      Command c = commands.poll(1, TimeUnit.DAYS);
      if (c == Command.SHUTDOWN) {
        LOG.info("server {}: job finished, shutting down", env.index());
        return ExitCodes.OK;
      }
      if (c == Command.ABORT) {
        LOG.warn("server {}: job aborted, shutting down", env.index());
        return ExitCodes.ABORTED;
      }
    }
  }

  public int port() {
    return rpc.port();
  }

  @Override
  public void close() {
    if (heartbeater != null) {
      heartbeater.close();
    }
    if (rpc != null) {
      rpc.close();
    }
    if (am != null) {
      am.close();
    }
  }

  /** Entry point of a server container. */
  public static void main(String[] args) {
    int code;
    JobConf.Startup startup = JobConf.startOrExit("server");
    ContainerEnv env = startup.env();
    Configuration conf = startup.conf();
    try (ParameterServer server = new ParameterServer(conf, env)) {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> LOG.info("server {} JVM exiting", env.index())));
      server.start();
      code = server.awaitEnd();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      code = ExitCodes.ABORTED;
    } catch (IOException | RuntimeException e) {
      LOG.error("server {} failed", env.index(), e);
      code = ExitCodes.INTERNAL_ERROR;
    }
    System.exit(code);
  }
}
