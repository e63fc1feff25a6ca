package yarnps.appmaster;

import java.io.IOException;
import java.util.List;
import java.util.function.Supplier;
import yarnps.thrift.Layout;
import yarnps.thrift.ServerAddress;
import yarnps.thrift.ShardInfo;

/**
 * {@link CheckpointServers} over {@link ServerControl}: each call opens its own connection to the
 * server's address in the current layout, so that an abort never queues behind a checkpoint call
 * stuck on the same server (checkpoints are rare; a connection per call costs nothing here).
 */
final class ServerControls implements CheckpointServers {
  private final Supplier<Layout> layout;
  private final int timeoutMs;

  /** @param timeoutMs the socket timeout of every call (a checkpoint call lasts as long as its writes) */
  ServerControls(Supplier<Layout> layout, int timeoutMs) {
    this.layout = layout;
    this.timeoutMs = timeoutMs;
  }

  private ServerControl open(int server, Layout l) throws IOException {
    for (ServerAddress a : l.getServers()) {
      if (a.getIndex() == server) {
        return new ServerControl(server, a.getHost(), a.getPort(), timeoutMs);
      }
    }
    throw new IOException("server " + server + " is not in layout version " + l.getVersion());
  }

  @Override
  public long prepare(int server, long id) throws IOException {
    try (ServerControl c = open(server, layout.get())) {
      return c.checkpointPrepare(id);
    }
  }

  @Override
  public List<ShardInfo> checkpoint(int server, long id, long clock, String dir) throws IOException {
    try (ServerControl c = open(server, layout.get())) {
      return c.checkpoint(id, clock, dir);
    }
  }

  @Override
  public void abort(int server, long id) throws IOException {
    try (ServerControl c = open(server, layout.get())) {
      c.checkpointAbort(id);
    }
  }

  @Override
  public long restore(int server, String dir, Layout target) throws IOException {
    try (ServerControl c = open(server, target)) {
      return c.restore(dir, target);
    }
  }
}
