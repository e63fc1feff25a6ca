package yarnps.bench;

/** Exit codes of the benchmark's processes, and the watchdog that bounds each one's life. */
final class BenchExit {
  static final int OK = 0;
  /** The benchmark or one of its processes failed. */
  static final int FAILED = 1;
  static final int USAGE = 2;
  /** A child process outlived its lifetime (its driver is gone or stuck). */
  static final int LIFETIME_EXCEEDED = 3;

  private BenchExit() {}

  /** Halts this JVM after {@code seconds}, so a child whose driver is stuck cannot linger. */
  static void haltAfter(long seconds, String who) {
    Thread t = new Thread(() -> {
      try {
        Thread.sleep(seconds * 1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      System.err.println(who + ": lifetime of " + seconds + " s exceeded, halting");
      Runtime.getRuntime().halt(LIFETIME_EXCEEDED);
    }, "lifetime-watchdog");
    t.setDaemon(true);
    t.start();
  }
}
