package yarnps.server;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import yarnps.checkpoint.CheckpointFormat;
import yarnps.checkpoint.CheckpointManifest;
import yarnps.common.HashRing;
import yarnps.common.KeyLayout;
import yarnps.conf.TableSpec;
import yarnps.thrift.Layout;
import yarnps.thrift.PsError;
import yarnps.thrift.ServerAddress;
import yarnps.thrift.ShardInfo;
import yarnps.worker.ClientOptions;
import yarnps.worker.ThriftParameterClient;

/**
 * Real servers on loopback for the checkpoint tests, and the AM's side of a checkpoint done from
 * test code through the servers' Iface: prepare everywhere, cut at the largest answer, write in
 * parallel, commit the manifest.
 */
final class ServerGroup implements AutoCloseable {
  final Configuration conf;
  final List<TableSpec> specs;
  final List<ParameterHandler> handlers = new ArrayList<>();
  final List<DataPlaneServer> rpcs = new ArrayList<>();
  final List<ServerAddress> addresses = new ArrayList<>();
  final List<ThriftParameterClient> clients = new ArrayList<>();
  KeyLayout layout;

  ServerGroup(Configuration conf, int servers, long layoutVersion) throws IOException {
    this.conf = conf;
    this.specs = TableSpec.allFromConf(conf);
    layout = HashRing.build(layoutVersion, servers, 8, 17);
    for (int s = 0; s < servers; s++) {
      ParameterHandler h = new ParameterHandler(s, conf, specs);
      h.install(layout);
      DataPlaneServer d = DataPlaneServer.start("ckpt-test-" + s, h, h, conf, 0);
      handlers.add(h);
      rpcs.add(d);
      addresses.add(new ServerAddress(s, "127.0.0.1", d.port()));
    }
  }

  /** A client of worker w for the group's current layout. */
  ThriftParameterClient client(int worker) throws IOException {
    Map<String, Integer> widths = new HashMap<>();
    specs.forEach(s -> widths.put(s.name(), s.width()));
    ThriftParameterClient c = new ThriftParameterClient(layout, addresses, widths, worker,
        ClientOptions.defaults().withMaxFrameBytes(64 << 20));
    clients.add(c);
    return c;
  }

  /** The group's layout as the AM sends it, under another version and maybe another server count. */
  Layout thriftLayout(KeyLayout l) {
    return new Layout(l.version(), l.toThriftRanges(), addresses.subList(0, l.numServers()));
  }

  /**
   * Takes checkpoint id as the AM does; returns its directory (committed), root/id-ID/ckpt-CLOCK
   * so that two checkpoints at one clock do not meet, or throws the first server's error.
   */
  Path checkpoint(long id, Path root) throws Exception {
    long clock = 0;
    for (ParameterHandler h : handlers) {
      clock = Math.max(clock, h.checkpointPrepare(id));
    }
    Path dir = CheckpointFormat.dir(new Path(root, "id-" + id), clock);
    long c = clock;
    List<CompletableFuture<List<ShardInfo>>> parts = new ArrayList<>();
    for (ParameterHandler h : handlers) {
      parts.add(CompletableFuture.supplyAsync(() -> {
        try {
          return h.checkpoint(id, c, dir.toString());
        } catch (PsError e) {
          throw new CompletionException(e);
        }
      }));
    }
    List<CheckpointManifest.ShardEntry> shards = new ArrayList<>();
    for (CompletableFuture<List<ShardInfo>> p : parts) {
      for (ShardInfo s : p.get(2, TimeUnit.MINUTES)) {
        shards.add(new CheckpointManifest.ShardEntry(s.getTable(), s.getRange(), s.getPath(), s.getRows(),
            s.getBytes(), s.getCrc()));
      }
    }
    List<CheckpointManifest.TableEntry> tables = specs.stream().map(CheckpointManifest.TableEntry::of).toList();
    FileSystem fs = dir.getFileSystem(conf);
    new CheckpointManifest(clock, System.currentTimeMillis(), layout, tables, shards).commit(fs, dir);
    return dir;
  }

  @Override
  public void close() {
    clients.forEach(ThriftParameterClient::close);
    rpcs.forEach(DataPlaneServer::close);
  }
}
