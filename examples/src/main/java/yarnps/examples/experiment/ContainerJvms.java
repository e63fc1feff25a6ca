package yarnps.examples.experiment;

import java.util.stream.Stream;
import org.apache.hadoop.yarn.api.records.ApplicationId;

/**
 * The JVMs of an application's containers on this machine, found by their command lines, for
 * fault injection (the recovery experiment, RecoveryIT). Only java processes count: the
 * NodeManager starts each container's JVM from a shell whose command line names the same main
 * class and application, and killing that shell would leave the JVM running.
 */
public final class ContainerJvms {
  private ContainerJvms() {}

  /** The live JVMs of {@code app} whose command line names {@code mainClass}, in pid order. */
  public static Stream<ProcessHandle> of(ApplicationId app, String mainClass) {
    return ProcessHandle.allProcesses()
        .filter(h -> h.info().command().map(c -> c.endsWith("/java")).orElse(false))
        .filter(h -> h.info().commandLine().map(c -> c.contains(mainClass) && c.contains(app.toString()))
            .orElse(false));
  }
}
