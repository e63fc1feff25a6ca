package yarnps.common;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ReplicasTest {
  /** Ranges owned 0, 0, 1, 2, 1, 0 (of 3 servers). */
  private static final KeyLayout LAYOUT = new KeyLayout(1, new long[] {0, 10, 20, 30, 40, 50},
      new int[] {0, 0, 1, 2, 1, 0}, 3);

  private static int[] chain(Replicas rep, int r) {
    int[] c = new int[rep.copies()];
    for (int i = 0; i < c.length; i++) {
      c[i] = rep.replica(r, i);
    }
    return c;
  }

  @Test
  void replicasAreTheNextDistinctOwnersWalkingForwardAndWrapping() {
    Replicas one = new Replicas(LAYOUT, 1);
    assertArrayEquals(new int[] {1}, chain(one, 0), "range 0 skips range 1 of its own server");
    assertArrayEquals(new int[] {1}, chain(one, 1));
    assertArrayEquals(new int[] {2}, chain(one, 2));
    assertArrayEquals(new int[] {1}, chain(one, 3));
    assertArrayEquals(new int[] {0}, chain(one, 4));
    assertArrayEquals(new int[] {1}, chain(one, 5), "wraps past the last range, skipping server 0's range 0");
    Replicas two = new Replicas(LAYOUT, 2);
    assertArrayEquals(new int[] {1, 2}, chain(two, 0), "server 1 is met twice, counted once");
    assertArrayEquals(new int[] {2, 0}, chain(two, 2));
    assertArrayEquals(new int[] {1, 0}, chain(two, 3));
    assertArrayEquals(new int[] {0, 2}, chain(two, 4));
  }

  @Test
  void positionsAndSuccessorsFollowTheChain() {
    Replicas two = new Replicas(LAYOUT, 2);
    assertEquals(0, two.position(3, 2));
    assertEquals(1, two.position(3, 1));
    assertEquals(2, two.position(3, 0));
    assertEquals(1, two.next(3, 2));
    assertEquals(0, two.next(3, 1));
    assertEquals(-1, two.next(3, 0), "the chain ends at the last replica");
    assertTrue(two.isReplica(3, 0));
    assertFalse(two.isReplica(3, 2));
    Replicas one = new Replicas(LAYOUT, 1);
    assertFalse(one.holds(2, 0), "server 0 holds no copy of range 2 with one replica");
    assertEquals(-1, one.next(2, 0));
    Replicas none = new Replicas(LAYOUT, 0);
    assertEquals(-1, none.next(0, 0));
    assertFalse(none.isReplica(2, 1));
  }

  @Test
  void moreCopiesThanOtherServersIsRefusedNamingBoth() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Replicas(LAYOUT, 3));
    assertTrue(e.getMessage().contains("yarnps.replication = 3") && e.getMessage().contains("3 servers"),
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Replicas(LAYOUT, -1));
  }

  @Test
  void everyRingRangeHasKDistinctReplicasOtherThanItsOwner() {
    KeyLayout ring = HashRing.build(1, 5, 16, 3);
    Replicas rep = new Replicas(ring, 2);
    for (int r = 0; r < ring.numRanges(); r++) {
      assertTrue(rep.replica(r, 0) != ring.owner(r) && rep.replica(r, 1) != ring.owner(r)
          && rep.replica(r, 0) != rep.replica(r, 1), "range " + r);
    }
  }
}
