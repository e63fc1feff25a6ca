package yarnps.server;

import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import yarnps.conf.PsKeys;
import yarnps.rpc.net.DirectBufferPool;
import yarnps.rpc.net.NioServer;
import yarnps.thrift.ParameterService;

/**
 * A listening ParameterService: the non-blocking {@link NioServer} (selector threads from
 * {@code yarnps.server.selector.threads}), the {@link ParameterEndpoint} on it, and the worker
 * pool ({@code yarnps.server.handler.threads}) for calls that may block. Used by the real server
 * and by the benchmark's servers alike.
 */
public final class DataPlaneServer implements AutoCloseable {
  private final NioServer server;
  private final ExecutorService pool;
  private final DataPlane plane;

  private DataPlaneServer(NioServer server, ExecutorService pool, DataPlane plane) {
    this.server = server;
    this.pool = pool;
    this.plane = plane;
  }

  /**
   * Starts serving plane (push, pull) and iface (every other method) on port, 0 for any.
   * Blocking calls wait in the pool's queue when all its threads are busy.
   */
  public static DataPlaneServer start(String name, DataPlane plane, ParameterService.Iface iface,
      Configuration conf, int port) throws IOException {
    int threads = PsKeys.SERVER_THREADS.get(conf);
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, name + "-handler-" + n.getAndIncrement());
          t.setDaemon(true);
          return t;
        });
    pool.allowCoreThreadTimeOut(true);
    ParameterEndpoint endpoint = new ParameterEndpoint(plane, new ParameterService.Processor<>(iface), pool,
        PsKeys.RPC_COMPRESSION_MIN_BYTES.get(conf));
    int maxFrame = PsKeys.RPC_MAX_FRAME.get(conf);
    NioServer server;
    try {
      server = new NioServer(name, port, PsKeys.SERVER_SELECTORS.get(conf), maxFrame, endpoint,
          new DirectBufferPool(Math.min(256L << 20, 4L * maxFrame)));
    } catch (IOException e) {
      pool.shutdownNow();
      throw new IOException(name + " cannot listen on port " + port + ": " + e.getMessage(), e);
    }
    if (plane instanceof ParameterHandler h) {
      h.reportCounters(endpoint::counters);
    }
    return new DataPlaneServer(server, pool, plane);
  }

  public int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.close();
    pool.shutdownNow();
    if (plane instanceof ParameterHandler h) {
      h.close();
    }
  }
}
