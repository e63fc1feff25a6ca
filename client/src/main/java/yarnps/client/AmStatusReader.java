package yarnps.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.webapp.util.WebAppUtils;

/**
 * Reads a running job's {@code api/v1/status} from its ApplicationMaster: through the
 * ResourceManager's web proxy (the tracking URL users and Hue follow), else at the AM's own address
 * (which, on a cluster whose RM sets up the proxy filter, redirects to the proxy).
 */
final class AmStatusReader {
  static final String STATUS_PATH = "api/v1/status";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http;
  private final Duration timeout;

  AmStatusReader(Duration timeout) {
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL).build();
  }

  /**
   * The tracking page through the RM's proxy, ending in {@code /}; null when the report has none.
   * A report can name port 0 (an RM whose web port was chosen at start, as in the embedded
   * cluster): then the proxy address comes from the client's configuration.
   */
  static String proxyUrl(ApplicationReport r, Configuration conf) {
    String url = r.getTrackingUrl();
    if (url == null || url.isBlank() || url.equals("N/A")) {
      return null;
    }
    if (!url.contains("://")) {
      url = WebAppUtils.getHttpSchemePrefix(conf) + url;
    }
    URI uri = URI.create(url);
    if (uri.getPort() == 0) {
      uri = URI.create(uri.getScheme() + "://" + WebAppUtils.getProxyHostAndPort(conf) + uri.getRawPath());
    }
    return withSlash(uri.toString());
  }

  /** The AM's own address of the page, ending in {@code /}; null when the report has none. */
  static String directUrl(ApplicationReport r) {
    String url = r.getOriginalTrackingUrl();
    if (url == null || url.isBlank() || url.equals("N/A")) {
      return null;
    }
    return withSlash(url.contains("://") ? url : "http://" + url);
  }

  private static String withSlash(String url) {
    return url.endsWith("/") ? url : url + "/";
  }

  /**
   * The AM's status document, through the proxy first, then directly; an IOException says why
   * neither answered.
   */
  JsonNode read(ApplicationReport r, Configuration conf) throws IOException {
    StringBuilder errors = new StringBuilder();
    for (String base : new String[] {proxyUrl(r, conf), directUrl(r)}) {
      if (base == null) {
        continue;
      }
      try {
        return get(base + STATUS_PATH);
      } catch (IOException e) {
        errors.append(errors.length() == 0 ? "" : "; ").append(base).append(STATUS_PATH).append(": ").append(e.getMessage());
      }
    }
    throw new IOException(errors.length() == 0 ? "the application has no tracking URL" : errors.toString());
  }

  private JsonNode get(String url) throws IOException {
    HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(timeout).header("Accept", "application/json").build();
    HttpResponse<String> resp;
    try {
      resp = http.send(req, HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
    if (resp.statusCode() != 200) {
      throw new IOException("HTTP " + resp.statusCode());
    }
    String type = resp.headers().firstValue("Content-Type").orElse("");
    if (!type.startsWith("application/json")) {
      throw new IOException("not JSON (" + (type.isEmpty() ? "no content type" : type) + "): the AM has gone");
    }
    return JSON.readTree(resp.body());
  }
}
