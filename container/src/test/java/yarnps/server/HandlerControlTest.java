package yarnps.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import yarnps.common.KeyLayout;
import yarnps.conf.PsKeys;
import yarnps.conf.TableSpec;
import yarnps.thrift.Layout;
import yarnps.thrift.PsError;
import yarnps.thrift.ServerAddress;

/**
 * The handler's wiring to its control classes, called in process: installAtStart's version rule,
 * the layout calls' shared monitor, and the counters that stats and heartbeats report.
 */
class HandlerControlTest {

  private static final KeyLayout RANGES = new KeyLayout(1, new long[] {0, 1L << 62}, new int[] {0, 1}, 2);

  private static ParameterHandler handler() {
    Configuration conf = new Configuration(false);
    conf.set("yarnps.tables", "w");
    conf.set("yarnps.table.w.updater", "add");
    conf.setInt(PsKeys.WORKERS.name(), 1);
    return new ParameterHandler(0, conf, TableSpec.allFromConf(conf));
  }

  private static Layout layout(long version) {
    return new Layout(version, RANGES.toThriftRanges(),
        List.of(new ServerAddress(0, "localhost", 1), new ServerAddress(1, "localhost", 2)));
  }

  @Test
  void installAtStartLeavesALayoutTheAmAlreadyGave() throws PsError {
    ParameterHandler h = handler();
    h.installLayout(layout(2));
    assertFalse(h.installAtStart(layout(1)));
    assertFalse(h.installAtStart(layout(2)));
    assertEquals(2, h.layoutVersion());
    assertTrue(h.installAtStart(layout(3)));
    assertEquals(3, h.layoutVersion());
  }

  @FunctionalInterface
  private interface LayoutCall {
    void run(ParameterHandler h) throws PsError;
  }

  /** installLayout, installAtStart and restore wait while another holds the handler's monitor. */
  @Test
  void layoutCallsWaitForTheHandlersMonitor() throws Exception {
    List<LayoutCall> calls = List.of(h -> h.installLayout(layout(2)), h -> h.installAtStart(layout(2)),
        h -> h.restore("", layout(2)));
    for (LayoutCall call : calls) {
      ParameterHandler h = handler();
      h.installLayout(layout(1));
      PsError[] failure = new PsError[1];
      Thread caller = new Thread(() -> {
        try {
          call.run(h);
        } catch (PsError e) {
          failure[0] = e;
        }
      }, "layout-call");
      synchronized (h) {
        caller.start();
        waitFor(() -> caller.getState() == Thread.State.BLOCKED);
        assertEquals(1, h.layoutVersion(), "the call ran while another thread held the handler's monitor");
      }
      caller.join(TimeUnit.MINUTES.toMillis(1));
      assertFalse(caller.isAlive());
      assertEquals(null, failure[0]);
      assertEquals(2, h.layoutVersion());
    }
  }

  @Test
  void statsAndGaugesReportTheTablesAndTheDataPlanesCounters() throws PsError {
    ParameterHandler h = handler();
    h.installLayout(layout(1));
    long[] keys = {5, 9, 12};
    h.push(PeerRecoveryTest.push(RANGES, keys, new float[] {1, 2, 3}, false));
    yarnps.rpc.PsWire.Request again = PeerRecoveryTest.push(RANGES, keys, new float[] {1, 2, 3}, false);
    again.requestId = 7;
    again.part = 0;
    h.push(again);
    again = PeerRecoveryTest.push(RANGES, keys, new float[] {1, 2, 3}, false);
    again.requestId = 7;
    again.part = 0;
    h.push(again);

    Map<String, Double> g = h.gauges();
    assertEquals(3.0, g.get("keys"));
    assertEquals(2.0, g.get("pushes"), "the duplicate is not applied");
    assertEquals(1.0, g.get("duplicate_pushes"));
    Map<String, Long> c = h.stats().getCounters();
    assertEquals(1L, c.get("duplicate_pushes"));
    assertEquals(3L, h.stats().getTables().get(0).getKeys());

    h.reportCounters(() -> Map.of("wire_bytes_in", 40L));
    assertEquals(40L, h.stats().getBytesIn());
    assertEquals(40.0, h.gauges().get("bytes_in"));
    assertEquals(null, h.gauges().get("duplicate_pushes"), "reported counters replace the handler's");
  }

  private static void waitFor(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("condition not met within 1 minute");
      }
      Thread.sleep(2);
    }
  }
}
