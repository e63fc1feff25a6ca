package yarnps.appmaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import yarnps.thrift.Command;
import yarnps.thrift.HeartbeatResponse;
import yarnps.thrift.Layout;
import yarnps.thrift.Role;

/** The parts of {@link JobState} on their own, single-threaded (JobState's tests cover the waits). */
class JobStatePartsTest {
  private final EventLog events = new EventLog(100, () -> 0L);

  private static Roster roster(int servers, int workers, Member.State workerState) {
    Roster r = new Roster(servers, workers);
    for (Member w : r.workers()) {
      w.state = workerState;
    }
    return r;
  }

  @Test
  void aBarrierOpensOnceEveryUnfinishedWorkerArrivedAndAgainForTheNextGeneration() {
    Roster r = roster(1, 3, Member.State.REGISTERED);
    Barriers b = new Barriers(r.workers());
    long g0 = b.arrive(0, "epoch");
    b.arrive(1, "epoch");
    assertFalse(b.openIfComplete("epoch", g0), "worker 2 has not arrived");
    assertEquals(Set.of(0, 1), b.arrived("epoch"));

    r.workers().get(2).state = Member.State.FINISHED;
    assertTrue(b.openIfComplete("epoch", g0), "a finished worker is not waited for");
    assertTrue(b.opened("epoch", g0));
    assertEquals(Set.of(), b.arrived("epoch"));

    long g1 = b.arrive(0, "epoch");
    assertEquals(g0 + 1, g1, "the name used again is a new generation");
    assertFalse(b.opened("epoch", g1));
    assertFalse(b.openIfComplete("epoch", g1));
  }

  @Test
  void aLostOrRolledBackWorkerNoLongerCountsAsArrived() {
    Roster r = roster(1, 2, Member.State.REGISTERED);
    Barriers b = new Barriers(r.workers());
    long g = b.arrive(0, "a");
    b.arrive(0, "b");
    b.leaveAll(0);
    b.arrive(1, "a");
    assertFalse(b.openIfComplete("a", g), "the lost worker's replacement must arrive again");
    assertEquals(Set.of(1), b.arrived("a"));
    assertEquals(Set.of(), b.arrived("b"));

    b.arrive(0, "a");
    b.clear();
    assertEquals(Set.of(), b.arrived("a"));
    assertFalse(b.opened("a", g), "a rollback drops arrivals, not generations");
  }

  @Test
  void aRollbackIsPendingForRunningWorkersUntilTheirHeartbeatReportsItsId() {
    Roster r = roster(1, 3, Member.State.REGISTERED);
    r.workers().get(1).state = Member.State.FINISHED;
    r.workers().get(2).state = Member.State.REQUESTED;
    for (Member w : r.workers()) {
      w.clock = 50;
    }
    Rollbacks rb = new Rollbacks(r.workers(), events);
    long id = rb.start(40, 3);
    assertEquals(1, id);
    assertEquals(List.of(0), rb.unacknowledged(), "only the registered worker has to acknowledge");
    assertTrue(rb.pending(r.workers().get(0)));
    assertFalse(rb.pending(r.workers().get(1)));
    assertEquals(40, r.workers().get(0).clock);
    assertEquals(50, r.workers().get(1).clock, "a finished worker keeps its clock");
    assertEquals(40, r.workers().get(2).clock);

    HeartbeatResponse resp = new HeartbeatResponse(Command.CONTINUE, 2);
    rb.command(resp, r.workers().get(0), 2);
    assertEquals(Command.ROLLBACK, resp.getCommand());
    assertEquals(40, resp.getResumeClock());
    assertEquals(3, resp.getLayoutVersion(), "the rollback's layout when it is newer");
    assertEquals(id, resp.getRollbackId());
    HeartbeatResponse server = new HeartbeatResponse(Command.CONTINUE, 2);
    rb.command(server, r.servers().get(0), 2);
    assertEquals(Command.CONTINUE, server.getCommand(), "servers are never told to roll back");

    rb.heartbeat(r.workers().get(0), 41, Map.of(JobState.ROLLBACK_METRIC, 0.0));
    assertTrue(rb.pending(r.workers().get(0)), "an older id is no acknowledgement");
    rb.heartbeat(r.workers().get(0), 41, Map.of(JobState.ROLLBACK_METRIC, (double) id));
    assertEquals(List.of(), rb.unacknowledged());
    HeartbeatResponse after = new HeartbeatResponse(Command.CONTINUE, 2);
    rb.command(after, r.workers().get(0), 2);
    assertEquals(Command.CONTINUE, after.getCommand());
  }

  @Test
  void restoredRollbacksCountOnAboveTheSavedIdWithEveryWorkerCaughtUp() {
    Roster r = roster(1, 2, Member.State.REGISTERED);
    Rollbacks rb = new Rollbacks(r.workers(), events);
    rb.restore(7, 30);
    assertEquals(List.of(), rb.unacknowledged());
    assertEquals(30, rb.clock());
    assertEquals(8, rb.start(20, 1));
    Member w = r.workers().get(1);
    assertTrue(rb.pending(w));
    rb.caughtUp(w);
    assertFalse(rb.pending(w));
  }

  @Test
  void aLayoutIsInstalledOnlyAboveEveryVersionSeenAndClearsARebuild() {
    Roster r = roster(2, 1, Member.State.REGISTERED);
    r.servers().get(1).host = "h1";
    r.servers().get(1).port = 7001;
    Layouts l = new Layouts(r.servers(), 8);
    assertEquals(0, l.current().getVersion());
    l.held(4);
    Layout next = l.next();
    assertEquals(5, next.getVersion(), "above the version a container held");
    assertEquals("h1", next.getServers().get(1).getHost());
    assertEquals(7001, next.getServers().get(1).getPort());
    l.rebuild();
    assertTrue(l.install(next), "the job's first layout");
    assertFalse(l.rebuildDue());
    assertEquals(next.getRanges(), l.next().getRanges(), "every layout of the job has the same ranges");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> l.install(next));
    assertTrue(e.getMessage().contains("layout version 5 is not above the current 5"), e.getMessage());
    assertFalse(l.install(l.next()));
    assertEquals(6, l.highestVersion());
  }

  @Test
  void takeoverTellsAdoptedContainersFromStrangersAndHandsOverTheMissing() {
    Takeover t = new Takeover();
    assertFalse(t.unexpected("c9"), "no takeover: no warning");
    t.begin(List.of("c1", "c2", "c3"));
    assertTrue(t.active());
    assertFalse(t.unexpected("c1"));
    assertTrue(t.unexpected("c9"), "not one of the previous attempt's containers");
    assertTrue(t.endedUnregistered("c2"));
    assertFalse(t.endedUnregistered("c2"));
    assertFalse(t.allBack());
    assertEquals(List.of("c3"), t.stopWaiting());
    assertTrue(t.allBack());
    assertTrue(t.active(), "the takeover lasts until the next layout");
    t.layoutPublished();
    assertFalse(t.active());
  }

  @Test
  void theRosterNamesAnUnknownMemberAndFindsMembersByContainer() {
    Roster r = roster(2, 2, Member.State.REGISTERED);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.member(Role.WORKER, 2));
    assertEquals("no worker 2 in this job (it has 2)", e.getMessage());
    r.workers().get(1).containerId = "c7";
    assertEquals(r.workers().get(1), r.byContainer("c7"));
    assertEquals(null, r.byContainer("c8"));
    r.workers().get(0).state = Member.State.FINISHED;
    r.workers().get(1).clock = 12;
    assertEquals(12, r.minWorkerClock());
    assertEquals(List.of(0), r.finishedWorkers());
    assertEquals(4, r.all().size());
  }
}
