package yarnps.appmaster;

import java.io.IOException;
import java.util.List;
import yarnps.thrift.Layout;
import yarnps.thrift.ShardInfo;

/**
 * The parameter servers' checkpoint and restore calls, as the {@link CheckpointCoordinator} and
 * {@link RestoreOnStart} make them: server {@code i} is the server of index {@code i} in the
 * current layout. Every call blocks until the server answered; a failure is an IOException naming
 * the server and the call. Calls to different servers may run concurrently, and an
 * {@link #abort} must not wait for a {@link #checkpoint} call still running on the same server.
 * The AM's implementation is {@link ServerControls}; tests use a fake writing real shards.
 */
interface CheckpointServers {

  /** Phase 1 of checkpoint {@code id}: returns the lowest clock the server can cut at. */
  long prepare(int server, long id) throws IOException;

  /** Phase 2: the server writes its primary ranges at {@code clock} to {@code dir}. */
  List<ShardInfo> checkpoint(int server, long id, long clock, String dir) throws IOException;

  /** Abandons checkpoint {@code id} on the server (held pushes are applied). */
  void abort(int server, long id) throws IOException;

  /** Loads the checkpoint in {@code dir} re-split to {@code layout}; returns the rows loaded. */
  long restore(int server, String dir, Layout layout) throws IOException;
}
