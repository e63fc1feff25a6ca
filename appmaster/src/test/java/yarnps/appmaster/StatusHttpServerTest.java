package yarnps.appmaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import yarnps.thrift.InputSplit;

/** The tracking page's server, with and without Hadoop's real AmIpFilter. */
class StatusHttpServerTest {
  private static final String PROXY_BASE = "http://127.0.0.2:8088/proxy/application_1_0001";
  private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  private static StatusView view() {
    JobState state = new JobState(1, 1, 4, Map.of("train", List.of(List.of(new InputSplit("a", 0, 1, false)))),
        System::currentTimeMillis);
    JobInfo info = new JobInfo("application_1_0001", "lr <demo>", "alice", "root.ml", "eventual (ASP)", "c1", "h",
        "", "http://");
    return new StatusView(state, new Telemetry(state, System::currentTimeMillis, 1000), info, System::currentTimeMillis);
  }

  private HttpResponse<String> get(StatusHttpServer server, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesTheSelfContainedPageAndTheJsonApi() throws Exception {
    try (StatusHttpServer server = new StatusHttpServer(view(), new TrackingPage(), null)) {
      HttpResponse<String> page = get(server, "/");
      assertEquals(200, page.statusCode());
      assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
      String html = page.body();
      assertTrue(html.contains("lr &lt;demo&gt;"), "job name, escaped");
      assertTrue(html.contains("root.ml") && html.contains("alice") && html.contains("eventual (ASP)"));
      assertFalse(html.contains("{{"), "every placeholder filled");
      // Self-contained and proxy-safe: no external resource, no absolute link to this server.
      Matcher refs = Pattern.compile("(?:src|href)\\s*=\\s*\"([^\"]*)\"").matcher(html);
      while (refs.find()) {
        assertFalse(refs.group(1).startsWith("/") || refs.group(1).contains("://"), "not relative: " + refs.group(1));
      }
      assertFalse(html.contains("@import") || html.contains("url("), "no external CSS");

      for (String api : List.of("status", "servers", "workers", "metrics", "checkpoints", "events")) {
        HttpResponse<String> r = get(server, "/api/v1/" + api);
        assertEquals(200, r.statusCode(), api);
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse("").split(";")[0], api);
        assertTrue(r.body().startsWith("{"), api);
      }
      assertTrue(get(server, "/api/status").body().contains("\"application\":\"application_1_0001\""), "the old path still works");
      assertEquals(404, get(server, "/nope").statusCode());
      HttpResponse<String> bad = get(server, "/api/v1/events?since=x");
      assertEquals(400, bad.statusCode());
      assertTrue(bad.body().contains("since=x"), bad.body());
    }
  }

  @Test
  void aRequestFromTheProxyHostIsServed() throws Exception {
    Map<String, String> params = Map.of(ProxyFilter.PROXY_HOSTS, "127.0.0.1", ProxyFilter.PROXY_URI_BASES,
        "http://127.0.0.1:8088/proxy/application_1_0001");
    try (StatusHttpServer server = new StatusHttpServer(view(), new TrackingPage(), params)) {
      assertEquals(200, get(server, "/api/v1/status").statusCode());
      HttpResponse<String> withUser = http.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + server.port() + "/")).header("Cookie", "proxy-user=bob").build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, withUser.statusCode());
    }
  }

  @Test
  void aDirectRequestFromElsewhereIsSentThroughTheProxy() throws Exception {
    Map<String, String> params = Map.of(ProxyFilter.PROXY_HOSTS, "127.0.0.2", ProxyFilter.PROXY_URI_BASES, PROXY_BASE);
    try (StatusHttpServer server = new StatusHttpServer(view(), new TrackingPage(), params)) {
      HttpResponse<String> r = get(server, "/api/v1/workers?x=1");
      assertEquals(302, r.statusCode());
      assertEquals("http://127.0.0.2:8088/proxy/redirect/application_1_0001/api/v1/workers?x=1",
          r.headers().firstValue("Location").orElse(""));
    }
  }
}
