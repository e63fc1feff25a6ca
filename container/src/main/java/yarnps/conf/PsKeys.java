package yarnps.conf;

import static yarnps.conf.ConfigKey.boolKey;
import static yarnps.conf.ConfigKey.doubleKey;
import static yarnps.conf.ConfigKey.enumKey;
import static yarnps.conf.ConfigKey.intKey;
import static yarnps.conf.ConfigKey.longKey;
import static yarnps.conf.ConfigKey.stringKey;

import java.util.List;

/**
 * The core {@code yarnps.*} configuration keys, each with its default and doc. The same keys,
 * defaults and docs are listed in {@code conf/yarnps-default.xml}; {@code PsKeysTest} fails when
 * the two disagree. Per-table keys are in {@link TableKeys}.
 */
public final class PsKeys {
  private PsKeys() {}

  /** What a worker does with a training or test line it cannot parse. */
  public enum MalformedPolicy { SKIP, FAIL }

  /** How stale the parameters a worker pulls may be; see yarnps.consistency. */
  public enum Consistency { SEQUENTIAL, BOUNDED, EVENTUAL }

  /** Compression of key and value blocks on the wire. */
  public enum BlockCompression { NONE, LZ4, SNAPPY }

  public static final ConfigKey<String> APP_NAME =
      stringKey("yarnps.app.name", "yarn-ps", "Application name shown in the YARN UI.");
  public static final ConfigKey<String> QUEUE =
      stringKey("yarnps.queue", "default", "YARN queue to submit to.");
  public static final ConfigKey<String> JOB_CLASS =
      stringKey("yarnps.job.class", null, "Class in the job jar implementing yarnps.worker.api.PsJob (required).");
  public static final ConfigKey<String> JOB_JAR =
      stringKey("yarnps.job.jar", null, "Local path of the job jar holding yarnps.job.class (required at submit).");
  public static final ConfigKey<Integer> SERVERS =
      intKey("yarnps.servers", 2, 1, 4096, "Number of parameter server containers.");
  public static final ConfigKey<Integer> WORKERS =
      intKey("yarnps.workers", 2, 1, 65536, "Number of worker containers.");
  public static final ConfigKey<Integer> SERVER_MEMORY_MB =
      intKey("yarnps.server.memory.mb", 1024, 128, 1 << 20, "Memory of each server container, MB.");
  public static final ConfigKey<Integer> SERVER_VCORES =
      intKey("yarnps.server.vcores", 1, 1, 1024, "Virtual cores of each server container.");
  public static final ConfigKey<Integer> WORKER_MEMORY_MB =
      intKey("yarnps.worker.memory.mb", 1024, 128, 1 << 20, "Memory of each worker container, MB.");
  public static final ConfigKey<Integer> WORKER_VCORES =
      intKey("yarnps.worker.vcores", 1, 1, 1024, "Virtual cores of each worker container.");
  public static final ConfigKey<Integer> AM_MEMORY_MB =
      intKey("yarnps.am.memory.mb", 512, 128, 1 << 20, "Memory of the ApplicationMaster container, MB.");
  public static final ConfigKey<Integer> AM_VCORES =
      intKey("yarnps.am.vcores", 1, 1, 1024, "Virtual cores of the ApplicationMaster container.");
  public static final ConfigKey<Double> HEAP_FRACTION =
      doubleKey("yarnps.heap.fraction", 0.7, 0.1, 0.95, "Share of a container's memory given to the JVM heap (-Xmx).");
  public static final ConfigKey<String> JAVA_OPTS =
      stringKey("yarnps.container.java.opts", "", "Extra JVM options for the AM, server and worker JVMs.");
  public static final ConfigKey<String> INPUT_TRAIN =
      stringKey("yarnps.input.train", null, "Comma-separated HDFS files or directories of training data (required).");
  public static final ConfigKey<String> INPUT_TEST =
      stringKey("yarnps.input.test", "", "Comma-separated HDFS files or directories of test data (optional).");
  public static final ConfigKey<String> OUTPUT =
      stringKey("yarnps.output", null, "HDFS directory the final model is written to; must not exist (required).");
  public static final ConfigKey<Long> SPLIT_BYTES =
      longKey("yarnps.input.split.bytes", 0, 0, Long.MAX_VALUE,
          "Target input split size in bytes; 0 means the file's block size, as FileInputFormat does.");
  public static final ConfigKey<MalformedPolicy> MALFORMED =
      enumKey("yarnps.input.malformed", MalformedPolicy.SKIP, MalformedPolicy.class,
          "skip: count and skip lines that do not parse; fail: fail the job naming file and line.");
  public static final ConfigKey<Integer> VNODES =
      intKey("yarnps.layout.vnodes", 32, 1, 4096, "Virtual nodes per server on the consistent-hashing ring.");
  public static final ConfigKey<String> TABLES =
      stringKey("yarnps.tables", "w", "Comma-separated names of the job's parameter tables; see yarnps.table.NAME.*.");
  public static final ConfigKey<Integer> HEARTBEAT_MS =
      intKey("yarnps.heartbeat.interval.ms", 1000, 10, 600_000, "Interval of container heartbeats to the AM, ms.");
  public static final ConfigKey<Integer> HEARTBEAT_TIMEOUT_MS =
      intKey("yarnps.heartbeat.timeout.ms", 60_000, 1000, Integer.MAX_VALUE,
          "A started container silent this long (no registration or heartbeat) is stopped and replaced,"
              + " counting as a failure of its role.");
  public static final ConfigKey<String> JAVA_HOME =
      stringKey("yarnps.container.java.home", "",
          "JAVA_HOME for the AM and containers; empty means the NodeManager's own.");
  public static final ConfigKey<Integer> RPC_MAX_FRAME =
      intKey("yarnps.rpc.max.frame.bytes", 256 << 20, 1 << 16, Integer.MAX_VALUE,
          "Largest Thrift frame a peer accepts; larger frames are refused.");
  public static final ConfigKey<Integer> RPC_TIMEOUT_MS =
      intKey("yarnps.rpc.timeout.ms", 120_000, 100, Integer.MAX_VALUE, "Socket timeout of RPC calls, ms.");
  public static final ConfigKey<Integer> RPC_CONNECTIONS =
      intKey("yarnps.rpc.connections.per.server", 2, 1, 256,
          "Connections a worker keeps to each server; calls are multiplexed on them and large calls spread over them.");
  public static final ConfigKey<Integer> RPC_MAX_IN_FLIGHT =
      intKey("yarnps.rpc.max.in.flight", 64, 1, 65536,
          "Calls a worker may have outstanding per connection; a caller past it waits (back-pressure).");
  public static final ConfigKey<Integer> SERVER_SELECTORS =
      intKey("yarnps.server.selector.threads", 2, 1, 256,
          "Selector threads of a server: they read requests, run push and pull, and write replies.");
  public static final ConfigKey<Integer> SERVER_THREADS =
      intKey("yarnps.server.handler.threads", 8, 1, 4096,
          "Worker-pool threads of a server for calls that may block (save, stats).");
  public static final ConfigKey<Consistency> CONSISTENCY =
      enumKey("yarnps.consistency", Consistency.EVENTUAL, Consistency.class,
          "sequential: a pull at clock t sees every push of clocks < t, applied in a fixed order (BSP); "
              + "bounded: a pull at clock t waits until every worker reached t - yarnps.consistency.tau (SSP); "
              + "eventual: pulls never wait (ASP).");
  public static final ConfigKey<Integer> CONSISTENCY_TAU =
      intKey("yarnps.consistency.tau", 2, 0, 1_000_000,
          "The bound of bounded delay: how many clocks the fastest worker may run ahead of the slowest.");
  public static final ConfigKey<String> CHECKPOINT_DIR =
      stringKey("yarnps.checkpoint.dir", "",
          "Where checkpoints go (ckpt-<clock>/ under it); empty means <yarnps.output>/checkpoints."
              + " Restoring a job from a checkpoint needs a new yarnps.output, so set this to keep checkpoints apart.");
  public static final ConfigKey<Long> CHECKPOINT_INTERVAL_CLOCKS =
      longKey("yarnps.checkpoint.interval.clocks", 0, 0, Long.MAX_VALUE,
          "Take a checkpoint every this many clocks of the slowest worker; 0 means not by clocks.");
  public static final ConfigKey<Integer> CHECKPOINT_INTERVAL_SEC =
      intKey("yarnps.checkpoint.interval.sec", 300, 0, Integer.MAX_VALUE,
          "Take a checkpoint every this many seconds; 0 means not by time.");
  public static final ConfigKey<Boolean> CHECKPOINT_AT_END =
      boolKey("yarnps.checkpoint.at.end", true, "Take a checkpoint when every worker finished, before the servers stop.");
  public static final ConfigKey<Integer> CHECKPOINT_KEEP =
      intKey("yarnps.checkpoint.keep", 2, 1, 1_000_000,
          "Checkpoints to keep; older complete ones are deleted once a newer one is committed.");
  public static final ConfigKey<Integer> CHECKPOINT_TIMEOUT_MS =
      intKey("yarnps.checkpoint.timeout.ms", 120_000, 1000, Integer.MAX_VALUE,
          "A checkpoint not written by every server within this time is abandoned (and logged).");
  public static final ConfigKey<String> RESTORE_FROM =
      stringKey("yarnps.restore.from", "",
          "A checkpoint directory (ckpt-<clock>) to start the job from; set by submit --restore-from.");
  public static final ConfigKey<Integer> REPLICATION =
      intKey("yarnps.replication", 0, 0, 16,
          "Copies of each key range on the next servers of the ring (chain replication); a push is acknowledged"
              + " once every copy stored it. 0: a lost server is restored from the newest checkpoint and the"
              + " workers roll back to its clock. Must be below yarnps.servers.");
  public static final ConfigKey<Integer> SERVER_MAX_FAILURES =
      intKey("yarnps.server.max-failures", 3, 0, 1_000_000,
          "Server containers that may fail by the job's own fault (not preemption or node loss) before the job fails.");
  public static final ConfigKey<Integer> WORKER_MAX_FAILURES =
      intKey("yarnps.worker.max-failures", 3, 0, 1_000_000,
          "Worker containers that may fail by the job's own fault (not preemption or node loss) before the job fails.");
  public static final ConfigKey<Integer> RECOVERY_TIMEOUT_MS =
      intKey("yarnps.recovery.timeout.ms", 180_000, 1000, Integer.MAX_VALUE,
          "How long a worker's call waits for a lost server to be replaced before it fails.");
  public static final ConfigKey<BlockCompression> RPC_COMPRESSION =
      enumKey("yarnps.rpc.compression", BlockCompression.NONE, BlockCompression.class,
          "Compression of key and value blocks on the wire: none, lz4 or snappy.");
  public static final ConfigKey<Integer> RPC_COMPRESSION_MIN_BYTES =
      intKey("yarnps.rpc.compression.min.bytes", 4096, 0, Integer.MAX_VALUE,
          "Blocks smaller than this are sent uncompressed.");
  public static final ConfigKey<Boolean> KEY_CACHE =
      boolKey("yarnps.rpc.key.cache", true,
          "Key caching: a repeated push or pull of the same key list sends a 64-bit signature instead of the keys.");
  public static final ConfigKey<Long> KEY_CACHE_BYTES =
      longKey("yarnps.server.key.cache.bytes", 64L << 20, 0, Long.MAX_VALUE,
          "Memory a server gives to cached key lists (8 bytes per key); least recently used lists are dropped.");
  public static final ConfigKey<Integer> POLL_MS =
      intKey("yarnps.client.poll.interval.ms", 1000, 50, 600_000, "How often the client polls the application report, ms.");
  public static final ConfigKey<String> STAGING_DIR =
      stringKey("yarnps.staging.dir", "", "Staging root on the cluster file system; empty means <home>/.yarnps.");
  public static final ConfigKey<Integer> MAX_APP_ATTEMPTS =
      intKey("yarnps.am.max.attempts", 2, 1, 100,
          "ApplicationMaster attempts YARN makes; containers are kept across attempts and a new attempt takes the job over.");
  public static final ConfigKey<Boolean> KEEP_STAGING =
      boolKey("yarnps.staging.keep", false, "Keep the staging directory after the job ends (for debugging).");
  public static final ConfigKey<String> FRAMEWORK_JAR =
      stringKey("yarnps.framework.jar", "",
          "Local path of the yarnps jar to ship; empty means the jar the client runs from.");
  public static final ConfigKey<String> EXTRA_CLASSPATH =
      stringKey("yarnps.container.extra.classpath", "",
          "Extra classpath entries for every container (the embedded cluster sets this; rarely needed).");

  /** Every core key, in the order of yarnps-default.xml. */
  public static List<ConfigKey<?>> all() {
    return List.of(APP_NAME, QUEUE, JOB_CLASS, JOB_JAR, SERVERS, WORKERS, SERVER_MEMORY_MB, SERVER_VCORES,
        WORKER_MEMORY_MB, WORKER_VCORES, AM_MEMORY_MB, AM_VCORES, HEAP_FRACTION, JAVA_OPTS, INPUT_TRAIN,
        INPUT_TEST, OUTPUT, SPLIT_BYTES, MALFORMED, VNODES, TABLES, HEARTBEAT_MS, HEARTBEAT_TIMEOUT_MS, JAVA_HOME, RPC_MAX_FRAME,
        RPC_TIMEOUT_MS, RPC_CONNECTIONS, RPC_MAX_IN_FLIGHT, SERVER_SELECTORS, SERVER_THREADS, RPC_COMPRESSION,
        RPC_COMPRESSION_MIN_BYTES, KEY_CACHE, KEY_CACHE_BYTES, CONSISTENCY, CONSISTENCY_TAU, CHECKPOINT_DIR, CHECKPOINT_INTERVAL_CLOCKS,
        CHECKPOINT_INTERVAL_SEC, CHECKPOINT_AT_END, CHECKPOINT_KEEP, CHECKPOINT_TIMEOUT_MS, RESTORE_FROM, REPLICATION,
        SERVER_MAX_FAILURES, WORKER_MAX_FAILURES, RECOVERY_TIMEOUT_MS, POLL_MS, STAGING_DIR, MAX_APP_ATTEMPTS,
        KEEP_STAGING, FRAMEWORK_JAR, EXTRA_CLASSPATH);
  }
}
