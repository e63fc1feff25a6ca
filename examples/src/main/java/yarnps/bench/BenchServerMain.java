package yarnps.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import yarnps.common.KeyLayout;
import java.util.ArrayList;
import java.util.List;
import yarnps.conf.PsKeys;
import yarnps.thrift.Layout;
import yarnps.thrift.ServerAddress;
import yarnps.conf.TableKeys;
import yarnps.conf.TableSpec;
import yarnps.server.DataPlaneServer;
import yarnps.server.ParameterHandler;

/**
 * A benchmark server process: serves ParameterService with the {@code store} handler (the real
 * {@link ParameterHandler}, table {@code w} of width 1 with the add updater) or the {@code empty}
 * one, prints {@code port <n>} on stdout, and serves until stdin says {@code quit} or closes,
 * or its lifetime runs out.
 *
 * <p>Arguments: {@code <index> <store|empty> <layout> <selectors> <maxFrameBytes> <lifetimeSeconds>
 * [<replication>]}. With replication >= 1 (store only) the server waits for a stdin line
 * {@code peers host:port,...} (every server's address by index), installs it and prints
 * {@code peers ok}.
 */
public final class BenchServerMain {
  private BenchServerMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 6 && args.length != 7) {
      System.err.println("usage: BenchServerMain <index> <store|empty> <layout> <selectors> <maxFrameBytes> <lifetimeSeconds>"
          + " [<replication>]");
      System.exit(BenchExit.USAGE);
    }
    int index = Integer.parseInt(args[0]);
    String handlerName = args[1];
    KeyLayout layout = BenchLayout.decode(args[2]);
    int threads = Integer.parseInt(args[3]);
    int maxFrame = Integer.parseInt(args[4]);
    BenchExit.haltAfter(Long.parseLong(args[5]), "bench server " + index);

    Configuration conf = benchConf(maxFrame, threads);
    int replication = args.length == 7 ? Integer.parseInt(args[6]) : 0;
    conf.setInt(PsKeys.REPLICATION.name(), replication);
    ParameterHandler[] store = new ParameterHandler[1];
    DataPlaneServer rpc = switch (handlerName) {
      case "store" -> {
        ParameterHandler h = storeHandler(index, layout, conf);
        store[0] = h;
        yield DataPlaneServer.start("bench-server-" + index, h, h, conf, 0);
      }
      case "empty" -> {
        EmptyParameterHandler h = new EmptyParameterHandler(index, BenchCase.TABLE, maxFrame);
        yield DataPlaneServer.start("bench-server-" + index, h, h, conf, 0);
      }
      default -> throw new IllegalArgumentException("unknown handler '" + handlerName + "' (store, empty)");
    };
    System.out.println("port " + rpc.port());
    System.out.flush();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null && !line.equals("quit")) {
        if (line.startsWith("peers ") && store[0] != null) {
          List<ServerAddress> peers = new ArrayList<>();
          for (String a : line.substring("peers ".length()).trim().split(",")) {
            int colon = a.lastIndexOf(':');
            peers.add(new ServerAddress(peers.size(), a.substring(0, colon), Integer.parseInt(a.substring(colon + 1))));
          }
          store[0].install(new Layout(layout.version(), layout.toThriftRanges(), peers));
          System.out.println("peers ok");
          System.out.flush();
        }
      }
    } catch (IOException e) {
      System.err.println("bench server " + index + ": stdin failed: " + e);
    }
    rpc.close();
    System.exit(BenchExit.OK);
  }

  /** The server settings of a benchmark server: defaults but for the frame limit and selector threads. */
  private static Configuration benchConf(int maxFrame, int selectors) {
    Configuration conf = new Configuration(false);
    conf.setInt(PsKeys.RPC_MAX_FRAME.name(), maxFrame);
    conf.setInt(PsKeys.SERVER_SELECTORS.name(), selectors);
    return conf;
  }

  private static ParameterHandler storeHandler(int index, KeyLayout layout, Configuration conf) {
    conf.set(PsKeys.TABLES.name(), BenchCase.TABLE);
    conf.set(TableKeys.name(TableKeys.WIDTH, BenchCase.TABLE), "1");
    conf.set(TableKeys.name(TableKeys.UPDATER, BenchCase.TABLE), "add");
    ParameterHandler h = new ParameterHandler(index, conf, TableSpec.allFromConf(conf));
    h.install(layout);
    return h;
  }
}
