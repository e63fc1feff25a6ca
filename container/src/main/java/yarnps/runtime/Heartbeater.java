package yarnps.runtime;

import java.io.Closeable;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import yarnps.thrift.Command;
import yarnps.thrift.Heartbeat;
import yarnps.thrift.HeartbeatResponse;
import yarnps.thrift.Role;

/**
 * Sends a container's heartbeat to the AM every interval on a daemon thread and passes the AM's
 * answer to a listener when its command is not CONTINUE. If the AM cannot be reached for
 * {@code maxMisses} heartbeats in a row the listener gets ABORT: a container must not outlive its
 * job.
 */
public final class Heartbeater implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(Heartbeater.class);

  /** What a heartbeat carries, sampled at each beat. */
  public interface Source {
    long clock();

    double progress();

    Map<String, Double> metrics();
  }

  private final CoordinatorClient am;
  private final Role role;
  private final int index;
  private final long intervalMs;
  private final int maxMisses;
  private final Source source;
  private final Consumer<HeartbeatResponse> listener;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Thread thread;

  public Heartbeater(CoordinatorClient am, Role role, int index, long intervalMs, int maxMisses,
      Source source, Consumer<HeartbeatResponse> listener) {
    this.am = am;
    this.role = role;
    this.index = index;
    this.intervalMs = intervalMs;
    this.maxMisses = maxMisses;
    this.source = source;
    this.listener = listener;
    this.thread = new Thread(this::loop, "heartbeat-" + role.name().toLowerCase() + "-" + index);
    thread.setDaemon(true);
  }

  public Heartbeater start() {
    thread.start();
    return this;
  }

  /** Sends one heartbeat now (used at the end so the AM sees final counters). */
  public HeartbeatResponse beat() throws IOException {
    return am.heartbeat(new Heartbeat(role, index, source.clock(), source.progress(), source.metrics()));
  }

  private void loop() {
    int misses = 0;
    try {
      while (!stopped.await(intervalMs, TimeUnit.MILLISECONDS)) {
        try {
          HeartbeatResponse r = beat();
          misses = 0;
          if (r.getCommand() != Command.CONTINUE) {
            listener.accept(r);
          }
        } catch (IOException | RuntimeException e) {
          misses++;
          LOG.warn("heartbeat {} of {} to the AM failed: {}", misses, maxMisses, e.getMessage());
          if (misses >= maxMisses) {
            listener.accept(new HeartbeatResponse(Command.ABORT, 0));
            return;
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stopped.countDown();
  }
}
