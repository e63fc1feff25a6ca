package yarnps.appmaster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.yarn.conf.HAUtil;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.webapp.util.WebAppUtils;

/**
 * How the tracking page honours the ResourceManager's web proxy: Hadoop's own {@code AmIpFilter}
 * (as MapReduce and Spark AMs install it) with the init parameters that YARN's
 * {@code AmFilterInitializer} computes. The filter lets requests from the proxy hosts through
 * (with the viewing user, from the proxy's {@code proxy-user} cookie, as the request's principal)
 * and redirects everyone else to the same page through the proxy, so the AM is reached the way
 * the cluster's access rules intend.
 *
 * <p>The RM sets {@code APPLICATION_WEB_PROXY_BASE} ({@code /proxy/<application id>}) in the AM's
 * environment; without it (not under YARN) there is no proxy to honour and no filter.
 */
final class ProxyFilter {
  private ProxyFilter() {}

  /** Hadoop's filter; on every YARN node's classpath (hadoop-yarn-server-web-proxy). */
  static final String FILTER_CLASS = "org.apache.hadoop.yarn.server.webproxy.amfilter.AmIpFilter";
  static final String PROXY_HOSTS = "PROXY_HOSTS";
  static final String PROXY_URI_BASES = "PROXY_URI_BASES";
  static final String RM_HA_URLS = "RM_HA_URLS";

  /**
   * The filter's init parameters for an AM whose proxy base is {@code proxyBase}: the proxy hosts
   * (the web proxy server, or every ResourceManager's web address), their proxy URIs, and with RM
   * HA the RM web addresses the filter probes to find the active one.
   */
  static Map<String, String> params(Configuration conf, String proxyBase) {
    List<String> proxies = WebAppUtils.getProxyHostsAndPortsForAmFilter(conf);
    String scheme = WebAppUtils.getHttpSchemePrefix(conf);
    List<String> hosts = new ArrayList<>();
    List<String> bases = new ArrayList<>();
    for (String proxy : proxies) {
      hosts.add(proxy.split(":")[0]);
      bases.add(scheme + proxy + proxyBase);
    }
    Map<String, String> params = new LinkedHashMap<>();
    params.put(PROXY_HOSTS, String.join(",", hosts));
    params.put(PROXY_URI_BASES, String.join(",", bases));
    List<String> rmUrls = new ArrayList<>();
    String addressKey = YarnConfiguration.useHttps(conf) ? YarnConfiguration.RM_WEBAPP_HTTPS_ADDRESS
        : YarnConfiguration.RM_WEBAPP_ADDRESS;
    for (String rmId : conf.getStringCollection(YarnConfiguration.RM_HA_IDS)) {
      String url = conf.get(HAUtil.addSuffix(addressKey, rmId));
      if (url != null) {
        rmUrls.add(url);
      }
    }
    if (!rmUrls.isEmpty()) {
      params.put(RM_HA_URLS, String.join(",", rmUrls));
    }
    return params;
  }

  /** Whether Hadoop's filter class can be loaded here. */
  static boolean available() {
    try {
      Class.forName(FILTER_CLASS, false, ProxyFilter.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
