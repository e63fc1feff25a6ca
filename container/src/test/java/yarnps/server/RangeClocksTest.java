package yarnps.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class RangeClocksTest {
  @Test
  void keepsEachWorkersLatestPushPerRangeOnly() {
    RangeClocks rc = new RangeClocks(4, 3);
    rc.pushed(1, 0, 5);
    rc.pushed(1, 0, 3);
    rc.pushed(1, 2, 7);
    rc.pushed(3, 1, 0);
    assertArrayEquals(new long[] {5, -1, 7}, rc.of(1));
    assertArrayEquals(new long[] {-1, 0, -1}, rc.of(3));
    assertArrayEquals(new long[] {-1, -1, -1}, rc.of(0));
    assertEquals(2, rc.touched(), "only pushed ranges hold a vector");
  }

  @Test
  void concurrentPushesKeepTheMaximum() {
    RangeClocks rc = new RangeClocks(1, 2);
    CompletableFuture<?>[] all = new CompletableFuture<?>[4];
    for (int t = 0; t < all.length; t++) {
      int offset = t;
      all[t] = CompletableFuture.runAsync(() -> {
        for (int c = 0; c < 10_000; c++) {
          rc.pushed(0, 1, c * 4L + offset);
        }
      });
    }
    CompletableFuture.allOf(all).join();
    assertArrayEquals(new long[] {-1, 9_999 * 4L + 3}, rc.of(0));
  }
}
