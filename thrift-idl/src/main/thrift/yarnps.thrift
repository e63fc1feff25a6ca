/*
 * yarn-ps wire protocol.
 *
 * Two services:
 *  - Coordinator, served by the ApplicationMaster: membership, layout, input splits, progress,
 *    metrics, barriers and finish.
 *  - ParameterService, served by every parameter server: range push and pull, stats, save.
 *
 * Keys and values never travel as list<i64> / list<double>. They travel as binary blocks:
 *  - key block: the keys of one request, sorted ascending as unsigned 64-bit integers and unique.
 *    The first key is written as an unsigned LEB128 varint, every following key as the varint of
 *    its difference to the previous key (always >= 1). The number of keys is sent beside the block.
 *  - value block: numKeys * width IEEE-754 float32 values, little-endian, row-major (the width
 *    values of key i follow those of key i-1).
 *
 * Optional block compression (per job, yarnps.rpc.compression): a key or value block may be sent
 * compressed with LZ4 (lz4 block format) or Snappy (raw format); the request or reply then names the
 * codec and the block's uncompressed size. Blocks below yarnps.rpc.compression.min.bytes are sent raw.
 *
 * Key caching: a push or pull may carry keySignature, a 64-bit hash of its key list (see
 * yarnps.common.KeySignature). With keys present, the server remembers the decoded list under
 * (worker, signature); with an empty key block, it uses the remembered list, or refuses with
 * KEY_CACHE_MISS (canRetry) when it has none, and the worker resends with the keys.
 *
 * Transport: Thrift framed transport (4-byte big-endian length, then one TBinaryProtocol message)
 * on TCP, calls multiplexed on a connection and matched to replies by sequence id. Frames are
 * bounded by yarnps.rpc.max.frame.bytes.
 */

namespace java yarnps.thrift

/** Why a call failed. */
enum ErrorCode {
  /** The request was malformed: bad key block, wrong value count, unknown table. */
  BAD_REQUEST = 1,
  /** The sender's layout is older than the server's: fetch the layout and resend. */
  STALE_LAYOUT = 2,
  /** A key of the request is not in a range this server holds. */
  WRONG_SERVER = 3,
  /** The service is not ready yet (layout not built, server still starting). */
  NOT_READY = 4,
  /** The callee failed while handling a valid request (I/O error, bug). */
  INTERNAL = 5,
  /** The peer is not a member of this job (unknown container or index). */
  UNKNOWN_PEER = 6,
  /** The request named a key list by signature that the server does not hold: resend with the keys. */
  KEY_CACHE_MISS = 7,
  /**
   * The job is recovering from a lost container (a replica is missing, a range is being restored):
   * the caller waits for a newer layout and resends. Always canRetry.
   */
  RECOVERING = 8,
}

/** Compression of a key or value block. */
enum BlockCodec {
  NONE = 0,
  LZ4 = 1,
  SNAPPY = 2,
}

/** The one error type of both services. canRetry says whether the same call may succeed later. */
exception PsError {
  1: required ErrorCode code,
  2: required string message,
  3: required bool canRetry,
}

enum Role {
  SERVER = 1,
  WORKER = 2,
}

// ---------------------------------------------------------------------------------------------
// Coordinator (on the ApplicationMaster)
// ---------------------------------------------------------------------------------------------

struct RegisterRequest {
  1: required Role role,
  /** Index of this role instance, 0-based, given to the container by the AM at launch. */
  2: required i32 index,
  /** YARN container id, for diagnostics and the tracking page. */
  3: required string containerId,
  4: required string host,
  /** Port of the ParameterService (servers) or 0 (workers). */
  5: required i32 port,
  /**
   * The layout version the container holds (0 for a new one). A container of an earlier AM attempt
   * registering with a new attempt sends its version, so the new layout is newer than every old one.
   */
  6: optional i64 layoutVersion,
  /** Worker: the clock it has completed (0 for a new one); used when re-registering with a new AM attempt. */
  7: optional i64 clock,
}

struct RegisterResponse {
  /** Total number of servers and workers in this job. */
  1: required i32 numServers,
  2: required i32 numWorkers,
  /**
   * Worker: the clock to start at. 0 for a fresh job; the checkpoint's clock when the job was
   * restored from one; the worker's last completed clock for a replacement of a lost worker.
   */
  3: optional i64 resumeClock,
}

/** One contiguous range of the unsigned 64-bit key space, [start, limit) with limit = 0 meaning 2^64. */
struct KeyRange {
  1: required i64 start,
  2: required i64 limit,
  /** Index of the server that holds this range. */
  3: required i32 server,
}

struct ServerAddress {
  1: required i32 index,
  2: required string host,
  3: required i32 port,
}

/**
 * Which server holds which key range. Ranges are sorted by start, cover the whole key space
 * without gaps or overlaps. A layout with version 0 is not ready (not every server registered).
 */
struct Layout {
  1: required i64 version,
  2: required list<KeyRange> ranges,
  3: required list<ServerAddress> servers,
}

/** A byte range of one input file, as Hadoop's FileInputFormat splits files. */
struct InputSplit {
  1: required string path,
  2: required i64 start,
  3: required i64 length,
  /** Whether the file is compressed with a non-splittable codec (then start is 0 and the whole file is read). */
  4: required bool wholeFile,
}

struct Heartbeat {
  1: required Role role,
  2: required i32 index,
  /** Worker: iterations completed. Server: 0. */
  3: required i64 clock,
  /** Worker: fraction of its work done, 0..1. */
  4: required double progress,
  /** Named counters and gauges (examples, malformed lines, keys stored, ...). */
  5: required map<string, double> metrics,
}

enum Command {
  /** Go on. */
  CONTINUE = 1,
  /** Stop cleanly and exit 0: the job is over. */
  SHUTDOWN = 2,
  /** Stop now and exit non-zero: the job failed elsewhere. */
  ABORT = 3,
  /**
   * Worker: the parameters were rolled back to a checkpoint (a server was lost without replicas).
   * Drop every pending call, wait for a layout of at least the response's layoutVersion, and run
   * the job again from the response's resumeClock.
   */
  ROLLBACK = 4,
}

struct HeartbeatResponse {
  1: required Command command,
  /** The current layout version; a caller with an older one should fetch the layout. */
  2: required i64 layoutVersion,
  /** With ROLLBACK: the clock to run the job from (the checkpoint's clock). */
  3: optional i64 resumeClock,
  /** With ROLLBACK: identifies the rollback, so that a worker acts once on each. */
  4: optional i64 rollbackId,
}

/** A named point of a worker's metric series (training loss, test AUC, ...). */
struct MetricsReport {
  1: required i32 worker,
  2: required i64 clock,
  3: required map<string, double> values,
  /** true for the job's final result (test metrics, model path); the AM records it as the job result. */
  4: required bool isFinal,
  /** Free-form string results (model path, ...). */
  5: optional map<string, string> labels,
}

struct FinishRequest {
  1: required Role role,
  2: required i32 index,
  3: required bool success,
  /** Why it failed; names the file and line, key or peer where it can. */
  4: required string diagnostics,
}

service Coordinator {
  /** A container announces itself. Idempotent for the same (role, index, containerId). */
  RegisterResponse registerContainer(1: RegisterRequest request) throws (1: PsError error),

  /** Periodic liveness, progress and counters; the reply carries the AM's command. */
  HeartbeatResponse heartbeat(1: Heartbeat heartbeat) throws (1: PsError error),

  /** The current layout; version 0 while servers are still registering. */
  Layout getLayout() throws (1: PsError error),

  /** The input splits assigned to a worker for the named input ("train" or "test"). */
  list<InputSplit> getSplits(1: i32 worker, 2: string input) throws (1: PsError error),

  /** A worker reports metrics; isFinal marks the job's result. */
  void report(1: MetricsReport report) throws (1: PsError error),

  /**
   * Blocks until every worker still in the job called barrier with the same name, then returns.
   * Returns an error if the job is aborted while waiting.
   */
  void barrier(1: i32 worker, 2: string name) throws (1: PsError error),

  /** A worker is done (success) or gives up (failure with diagnostics). */
  void finish(1: FinishRequest request) throws (1: PsError error),

  /**
   * Asks the AM to take a checkpoint now (client `checkpoint <appId>`). Returns at once with what
   * the AM will do (the clock is chosen when the servers agree on a cut).
   */
  string requestCheckpoint(1: string reason) throws (1: PsError error),
}

// ---------------------------------------------------------------------------------------------
// ParameterService (on each server)
// ---------------------------------------------------------------------------------------------

struct PushRequest {
  1: required string table,
  2: required i64 layoutVersion,
  3: required i32 numKeys,
  /** Key block, see the top of this file. */
  4: required binary keys,
  /** Value block: numKeys * width float32, little-endian; the update (gradient or delta). */
  5: required binary values,
  6: required i32 worker,
  7: required i64 clock,
  /** Key caching: the key list's signature; 0 or absent for none. */
  8: optional i64 keySignature,
  /** Compression of the key block (when it is not empty); absent means NONE. */
  9: optional BlockCodec keyCodec,
  /** Uncompressed size of the key block when keyCodec is not NONE. */
  10: optional i32 rawKeyBytes,
  /** Compression of the value block; absent means NONE. */
  11: optional BlockCodec valueCodec,
  /**
   * This worker's sequence number of the push, increasing across its pushes. Under sequential
   * consistency a server applies the pushes of one clock in (worker, requestId) order.
   */
  12: optional i64 requestId,
  /**
   * Which slice of the worker's call this request is (a call is sliced per server and spread over
   * connections). (worker, requestId, part) names the request uniquely: a server that applied it
   * once acknowledges a resent copy without applying it again.
   */
  13: optional i32 part,
  /**
   * Set by a primary forwarding a push to the next server of the chain (replication): the receiver
   * applies it to its replica of the range and acknowledges once it is stored (and forwarded on).
   */
  14: optional bool replica,
}

struct PullRequest {
  1: required string table,
  2: required i64 layoutVersion,
  3: required i32 numKeys,
  /** Key block; empty when keySignature names a key list the server holds. */
  4: required binary keys,
  5: required i32 worker,
  6: required i64 clock,
  7: optional i64 keySignature,
  8: optional BlockCodec keyCodec,
  9: optional i32 rawKeyBytes,
  /** How the reply's value block may be compressed; absent means NONE. */
  10: optional BlockCodec replyCodec,
}

struct PullResponse {
  1: required i32 numKeys,
  /** Value block: numKeys * width float32, the current weights; missing keys read as the initializer's value. */
  2: required binary values,
  /** Compression of the value block; absent means NONE. Its raw size is numKeys * width * 4. */
  3: optional BlockCodec valueCodec,
}

struct TableStats {
  1: required string table,
  2: required i32 width,
  3: required i64 keys,
  /** Bytes held by the table's arrays (keys, weights and updater state). */
  4: required i64 memoryBytes,
  5: required i64 pushes,
  6: required i64 pulls,
  7: required i64 keysPushed,
  8: required i64 keysPulled,
}

struct ServerStats {
  1: required i32 server,
  2: required i64 layoutVersion,
  3: required list<TableStats> tables,
  4: required i64 bytesIn,
  5: required i64 bytesOut,
  /**
   * Data-plane counters: key_cache_hits, key_cache_misses, key_cache_entries, key_cache_bytes,
   * key_bytes_saved (key-block bytes not sent thanks to the cache), compressed_blocks,
   * wire_bytes_in/raw_bytes_in (block bytes as received / after decompression), and the like.
   */
  6: optional map<string, i64> counters,
}

struct SaveResult {
  /** HDFS path of the file written. */
  1: required string path,
  2: required i64 keys,
  3: required i64 bytes,
}

/**
 * A worker's clock: every push it sent with a clock below {@code clock} has been acknowledged
 * (leaving: the worker is done and leaves the clock group, so no one waits for it).
 */
struct ClockUpdate {
  1: required i32 worker,
  2: required i64 clock,
  3: required bool leaving,
}

/** One shard a server wrote for a checkpoint: mirrors CheckpointManifest.ShardEntry. */
struct ShardInfo {
  1: required string table,
  2: required i32 range,
  /** Path relative to the checkpoint directory (<table>/<range>.shard). */
  3: required string path,
  4: required i64 rows,
  5: required i64 bytes,
  6: required i64 crc,
}

/** Rows of one key range, copied from a live server to a replacement (restore from a replica). */
struct RangeChunk {
  1: required i32 numKeys,
  /** Key block as in a push (sorted, delta-varint), uncompressed. */
  2: required binary keys,
  /** numKeys * stride float32, little-endian: each row's weights and updater state. */
  3: required binary rows,
  4: required i32 stride,
  /** Whether this is the range's last chunk; else ask again with afterKey = the last key sent. */
  5: required bool done,
}

/** The state beside the rows that a replacement server copies from a live one. */
struct PeerState {
  /** Every worker's clock as the peer sees it (index = worker). */
  1: required list<i64> workerClocks,
  /** Workers that left the clock group. */
  2: required list<bool> workersLeft,
  /** Pushes the peer applied recently, per worker: for each clock, -(clock + 1), then entries sequence << 40 | part << 24 | range. */
  3: required map<i32, list<i64>> applied,
}

service ParameterService {
  /** Applies an update to the given keys through the table's updater. */
  void push(1: PushRequest request) throws (1: PsError error),

  /**
   * Returns the current weights of the given keys. Under sequential or bounded-delay consistency
   * the reply waits (on the server, without holding a thread) until every worker in the clock
   * group reached clock - tau, tau being 0 for sequential.
   */
  PullResponse pull(1: PullRequest request) throws (1: PsError error),

  /** A worker's clock advanced (or it left the clock group); see ClockUpdate. */
  void clock(1: ClockUpdate update) throws (1: PsError error),

  ServerStats stats() throws (1: PsError error),

  /**
   * Writes this server's part of a table to dir/part-s-<server 5 digits> on the job's file system
   * in the model format (see yarnps.model.ModelFormat) and returns what it wrote.
   */
  SaveResult save(1: string table, 2: string dir) throws (1: PsError error),

  // --- Control calls of the AM (recovery and checkpoints); never on a worker's path. ---

  /**
   * Makes this the server's layout. With the same ranges on this server (a replaced peer got a new
   * address) the data stays; requests of an older version are refused with STALE_LAYOUT from now on.
   */
  void installLayout(1: Layout layout) throws (1: PsError error),

  /**
   * First phase of checkpoint `id`: from now on this server holds back pushes of clocks above the
   * highest it has seen, and returns the lowest clock it can cut at (that highest + 1).
   */
  i64 checkpointPrepare(1: i64 id) throws (1: PsError error),

  /**
   * Second phase: writes every range this server owns (as primary) to dir, consistently at
   * `clock`: every push of a clock below it and none of a later one. Returns when the shards are
   * written and closed; pushes of later clocks are applied afterwards.
   */
  list<ShardInfo> checkpoint(1: i64 id, 2: i64 clock, 3: string dir) throws (1: PsError error),

  /** Abandons checkpoint `id` (another server failed): pushes held back are applied. */
  void checkpointAbort(1: i64 id) throws (1: PsError error),

  /**
   * Replaces every range this server holds (primary and replica) with the checkpoint in dir,
   * re-split to this layout's ranges, installs the layout, and sets every worker's clock to the
   * checkpoint's; held pushes, key caches and request ids are dropped. Returns the rows loaded.
   */
  i64 restore(1: string dir, 2: Layout layout) throws (1: PsError error),

  /**
   * A replacement server fills every range it holds in its layout (primary and replica) from live
   * servers that hold copies, together with their clocks and applied request ids. Returns the rows copied.
   */
  i64 recoverFromPeers() throws (1: PsError error),

  /** Rows of a table's key range after afterKey (exclusive; -1 with first = true for the start). */
  RangeChunk fetchRange(1: string table, 2: i32 range, 3: i64 afterKey, 4: bool first, 5: i32 maxRows)
      throws (1: PsError error),

  /** The clocks and applied request ids a replacement copies. */
  PeerState peerState() throws (1: PsError error),
}
