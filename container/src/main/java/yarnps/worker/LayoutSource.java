package yarnps.worker;

import java.io.IOException;
import yarnps.thrift.Layout;

/**
 * Where a worker's client learns the current layout while the job recovers a lost server: in a
 * job, the AM's {@code Coordinator.getLayout}. The client polls it (50 ms doubling to 1 s) until
 * it names a version newer than the one a failed call was sent with.
 */
@FunctionalInterface
public interface LayoutSource {
  /** The current layout; throws when it cannot be fetched now (the client tries again). */
  Layout fetch() throws IOException;
}
