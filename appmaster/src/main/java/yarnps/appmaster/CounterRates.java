package yarnps.appmaster;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

/**
 * Per-second rates of a member's counters (a server's pushes, pulls, bytes in and out), computed
 * from the heartbeats of the last {@code windowMs}, so one late heartbeat does not make the
 * rate jump. A counter that goes down (a restarted process) starts the window again.
 */
final class CounterRates {
  private final String[] names;
  private final long windowMs;
  /** Each sample: time in ms, then the counters in the order of {@link #names}. */
  private final Deque<double[]> samples = new ArrayDeque<>();

  CounterRates(long windowMs, String... names) {
    this.windowMs = windowMs;
    this.names = names.clone();
  }

  /** Records the counters a heartbeat carried at time {@code nowMs}; absent counters count as 0. */
  void add(long nowMs, Map<String, Double> counters) {
    double[] s = new double[names.length + 1];
    s[0] = nowMs;
    for (int i = 0; i < names.length; i++) {
      s[i + 1] = counters.getOrDefault(names[i], 0.0);
    }
    double[] last = samples.peekLast();
    if (last != null) {
      for (int i = 1; i < s.length; i++) {
        if (s[i] < last[i]) {
          samples.clear();
          break;
        }
      }
    }
    samples.addLast(s);
    while (samples.size() > 2 && nowMs - samples.peekFirst()[0] > windowMs) {
      samples.removeFirst();
    }
  }

  /** The counter's increase per second over the window; 0 until two samples exist. */
  double perSecond(String name) {
    int i = index(name);
    if (samples.size() < 2) {
      return 0;
    }
    double[] first = samples.peekFirst();
    double[] last = samples.peekLast();
    double seconds = (last[0] - first[0]) / 1000.0;
    return seconds <= 0 ? 0 : (last[i] - first[i]) / seconds;
  }

  private int index(String name) {
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(name)) {
        return i + 1;
      }
    }
    throw new IllegalArgumentException("not a tracked counter: " + name);
  }
}
