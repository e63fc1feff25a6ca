package yarnps.appmaster;

import java.util.Locale;

/**
 * What the tracking page shows about the job that does not change while it runs, and the links to
 * container logs.
 *
 * @param logScheme {@code http://} or {@code https://}, as the cluster's web UIs use
 * @param amNodeHttpAddress the AM's NodeManager web address (host:port); empty when unknown
 */
record JobInfo(String appId, String name, String user, String queue, String consistency, String amContainer,
    String amHost, String amNodeHttpAddress, String logScheme) {

  /** The configuration key another issue adds; read here when set, so the page shows what was asked. */
  static final String CONSISTENCY_KEY = "yarnps.consistency";

  /**
   * The consistency model in words. Unset means what the current runtime provides: workers never
   * wait for each other (eventual consistency, asynchronous parallel).
   */
  static String describeConsistency(String raw) {
    if (raw == null || raw.isBlank()) {
      return "eventual (ASP)";
    }
    String v = raw.trim().toLowerCase(Locale.ROOT);
    String[] parts = v.split("[:=]", 2);
    switch (parts[0]) {
      case "eventual":
      case "asp":
        return "eventual (ASP)";
      case "sequential":
      case "bsp":
        return "sequential (BSP)";
      case "bounded":
      case "ssp":
        return parts.length == 2 ? "bounded delay " + parts[1] + " (SSP)" : "bounded delay (SSP)";
      default:
        return raw.trim();
    }
  }

  /**
   * The NodeManager page of a container's logs ({@code /node/containerlogs/<container>/<user>}),
   * which redirects to the log server once the logs are aggregated; null when the node is unknown.
   */
  String logsUrl(String nodeHttpAddress, String containerId) {
    if (nodeHttpAddress == null || nodeHttpAddress.isEmpty() || containerId == null || containerId.isEmpty()) {
      return null;
    }
    return logScheme + nodeHttpAddress + "/node/containerlogs/" + containerId + "/" + user;
  }

  String amLogsUrl() {
    return logsUrl(amNodeHttpAddress, amContainer);
  }
}
