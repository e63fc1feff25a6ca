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
    am.register(new RegisterRequest(Role.SERVER, env.index(), env.containerId(), host, rpc.port()));
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
        }, commands::offer).start();
    Layout layout = awaitLayout(am, PsKeys.HEARTBEAT_MS.get(conf));
    handler.install(layout);
    LOG.info("server {} installed layout version {} ({} ranges)", env.index(), layout.getVersion(), layout.getRangesSize());
  }

  /** Polls the AM until the layout is ready (version > 0). */
  public static Layout awaitLayout(CoordinatorClient am, long pollMs) throws IOException, InterruptedException {
    long wait = 50;
    while (true) {
      Layout layout = am.layout();
      if (layout.getVersion() > 0) {
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
