package yarnps.worker;

import org.apache.hadoop.conf.Configuration;
import yarnps.conf.PsKeys;
import yarnps.conf.PsKeys.BlockCompression;

/**
 * How a {@link ThriftParameterClient} talks to the servers; see the {@code yarnps.rpc.*} keys.
 *
 * @param keyCacheKeysPerServer keys of cached lists this client expects one server to hold for
 *     it; past that it forgets the least recently used (the server may still drop one earlier,
 *     which costs one resend)
 */
public record ClientOptions(int connectionsPerServer, int maxInFlight, int maxFrameBytes, int timeoutMs,
    BlockCompression compression, int compressMinBytes, boolean keyCache, long keyCacheKeysPerServer) {

  /** The options of a job's configuration, for one of numWorkers workers. */
  public static ClientOptions from(Configuration conf, int numWorkers) {
    return new ClientOptions(PsKeys.RPC_CONNECTIONS.get(conf), PsKeys.RPC_MAX_IN_FLIGHT.get(conf),
        PsKeys.RPC_MAX_FRAME.get(conf), PsKeys.RPC_TIMEOUT_MS.get(conf), PsKeys.RPC_COMPRESSION.get(conf),
        PsKeys.RPC_COMPRESSION_MIN_BYTES.get(conf), PsKeys.KEY_CACHE.get(conf),
        PsKeys.KEY_CACHE_BYTES.get(conf) / serverBytesPerKey(conf) / Math.max(1, numWorkers));
  }

  /** What a server's key cache spends per key: the key, and a 4-byte row slot per table. */
  private static long serverBytesPerKey(Configuration conf) {
    long tables = java.util.Arrays.stream(PsKeys.TABLES.get(conf).split(",")).filter(t -> !t.isBlank()).count();
    return Long.BYTES + 4L * Math.max(1, tables);
  }

  /** The defaults of yarnps-default.xml for a single worker. */
  public static ClientOptions defaults() {
    return from(new Configuration(false), 1);
  }

  public ClientOptions withConnections(int n) {
    return new ClientOptions(n, maxInFlight, maxFrameBytes, timeoutMs, compression, compressMinBytes, keyCache,
        keyCacheKeysPerServer);
  }

  public ClientOptions withCompression(BlockCompression c) {
    return new ClientOptions(connectionsPerServer, maxInFlight, maxFrameBytes, timeoutMs, c, compressMinBytes, keyCache,
        keyCacheKeysPerServer);
  }

  public ClientOptions withKeyCache(boolean on) {
    return new ClientOptions(connectionsPerServer, maxInFlight, maxFrameBytes, timeoutMs, compression,
        compressMinBytes, on, keyCacheKeysPerServer);
  }

  public ClientOptions withMaxFrameBytes(int bytes) {
    return new ClientOptions(connectionsPerServer, maxInFlight, bytes, timeoutMs, compression, compressMinBytes,
        keyCache, keyCacheKeysPerServer);
  }
}
