package yarnps.appmaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class JobInfoTest {

  @Test
  void consistencyDefaultsToWhatTheRuntimeProvides() {
    assertEquals("eventual (ASP)", JobInfo.describeConsistency(null));
    assertEquals("eventual (ASP)", JobInfo.describeConsistency(" "));
    assertEquals("eventual (ASP)", JobInfo.describeConsistency("eventual"));
    assertEquals("sequential (BSP)", JobInfo.describeConsistency("BSP"));
    assertEquals("bounded delay 4 (SSP)", JobInfo.describeConsistency("bounded:4"));
    assertEquals("something-new", JobInfo.describeConsistency("something-new"));
  }

  @Test
  void logLinksPointAtTheNodeManagersContainerLogPage() {
    JobInfo info = new JobInfo("application_1_0001", "job", "alice", "default", "eventual (ASP)",
        "container_1_0001_01_000001", "am-host", "nm1:8042", "http://");
    assertEquals("http://nm2:8042/node/containerlogs/container_1_0001_01_000002/alice",
        info.logsUrl("nm2:8042", "container_1_0001_01_000002"));
    assertEquals("http://nm1:8042/node/containerlogs/container_1_0001_01_000001/alice", info.amLogsUrl());
    assertNull(info.logsUrl("", "container_1_0001_01_000002"), "not yet allocated");
  }
}
