package yarnps.examples.check;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CountingJobTest {
  @Test
  void fastWorkersAreACommaSeparatedListOfIndexes() {
    assertFalse(CountingJob.fast("", 0));
    assertTrue(CountingJob.fast("1", 1));
    assertTrue(CountingJob.fast(" 0, 3 ", 3));
    assertFalse(CountingJob.fast("0,3", 2));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CountingJob.fast("1,x", 0));
    assertTrue(e.getMessage().contains("count.fast.workers=1,x") && e.getMessage().contains("'x'"), e.getMessage());
  }
}
