package yarnps.appmaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SeriesTest {

  private static List<Integer> values(List<Series.Point<Integer>> points) {
    return points.stream().map(Series.Point::value).toList();
  }

  @Test
  void readsOnlyWhatIsNewBySequenceNumber() {
    Series<Integer> s = new Series<>(10);
    s.add(1);
    s.add(2);
    s.add(3);
    assertEquals(List.of(1, 2, 3), values(s.since(0)));
    assertEquals(List.of(3), values(s.since(2)));
    assertTrue(s.since(3).isEmpty());
    assertEquals(3, s.lastSeq());
    assertEquals(3, s.last());
  }

  @Test
  void aFullSeriesDropsEveryOtherPointButKeepsItsEnds() {
    Series<Integer> s = new Series<>(4);
    for (int i = 1; i <= 5; i++) {
      s.add(i);
    }
    // Full at 4 points: thinned to 2 (2 and 4, the newest kept), then 5 appended.
    assertEquals(List.of(2, 4, 5), values(s.since(0)));
    assertEquals(List.of(4, 5), values(s.since(3)), "sequence numbers survive thinning");
    for (int i = 6; i <= 100; i++) {
      s.add(i);
    }
    assertTrue(s.size() <= 4);
    assertEquals(100, s.last());
  }
}
