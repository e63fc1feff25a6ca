package yarnps.appmaster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CounterRatesTest {

  @Test
  void rateIsTheIncreaseOverTheWindow() {
    CounterRates r = new CounterRates(5_000, "pushes", "pulls");
    assertEquals(0, r.perSecond("pushes"), "no rate from one sample");
    r.add(1_000, Map.of("pushes", 100.0, "pulls", 10.0));
    assertEquals(0, r.perSecond("pushes"));
    r.add(2_000, Map.of("pushes", 300.0, "pulls", 10.0));
    assertEquals(200, r.perSecond("pushes"), 1e-9);
    assertEquals(0, r.perSecond("pulls"), 1e-9);
    r.add(3_000, Map.of("pushes", 400.0, "pulls", 40.0));
    assertEquals(150, r.perSecond("pushes"), 1e-9, "averaged over both seconds");
    // Samples older than the window are dropped.
    r.add(9_000, Map.of("pushes", 1_000.0, "pulls", 40.0));
    assertEquals(100, r.perSecond("pushes"), 1e-9, "from t=3s (400) to t=9s (1000)");
  }

  @Test
  void aCounterGoingDownRestartsTheWindow() {
    CounterRates r = new CounterRates(5_000, "pushes");
    r.add(1_000, Map.of("pushes", 500.0));
    r.add(2_000, Map.of("pushes", 600.0));
    r.add(3_000, Map.of("pushes", 20.0));
    assertEquals(0, r.perSecond("pushes"), "a restarted server has one sample");
    r.add(4_000, Map.of("pushes", 70.0));
    assertEquals(50, r.perSecond("pushes"), 1e-9);
  }

  @Test
  void missingCountersCountAsZero() {
    CounterRates r = new CounterRates(5_000, "bytes_in");
    r.add(0, Map.of());
    r.add(2_000, Map.of("bytes_in", 4096.0));
    assertEquals(2048, r.perSecond("bytes_in"), 1e-9);
  }
}
