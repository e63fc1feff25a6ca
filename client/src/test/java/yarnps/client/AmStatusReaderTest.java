package yarnps.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.api.records.Priority;
import org.apache.hadoop.yarn.api.records.YarnApplicationState;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.util.Records;
import org.junit.jupiter.api.Test;

class AmStatusReaderTest {

  static ApplicationReport report(String tracking, String original) {
    ApplicationReport r = Records.newRecord(ApplicationReport.class);
    r.setApplicationId(ApplicationId.newInstance(1700000000000L, 42));
    r.setName("lr");
    r.setApplicationType("YARNPS");
    r.setUser("alice");
    r.setQueue("default");
    r.setPriority(Priority.newInstance(3));
    r.setApplicationTags(Set.of("yarnps", "nightly"));
    r.setYarnApplicationState(YarnApplicationState.RUNNING);
    r.setFinalApplicationStatus(FinalApplicationStatus.UNDEFINED);
    r.setProgress(0.25f);
    r.setStartTime(1_000);
    r.setTrackingUrl(tracking);
    r.setOriginalTrackingUrl(original);
    r.setDiagnostics("");
    return r;
  }

  @Test
  void theProxyUrlIsFixedWhenTheReportNamesPortZero() {
    Configuration conf = new YarnConfiguration();
    conf.set(YarnConfiguration.RM_WEBAPP_ADDRESS, "127.0.0.1:18088");
    ApplicationReport r = report("http://127.0.0.1:0/proxy/application_1700000000000_0042/", "http://am:4040/");
    String fixed = AmStatusReader.proxyUrl(r, conf);
    assertTrue(fixed.matches("http://[^/:]+:18088/proxy/application_1700000000000_0042/"), fixed);
    assertEquals("http://am:4040/", AmStatusReader.directUrl(r));
    ApplicationReport ok = report("http://rm:8088/proxy/application_1700000000000_0042", "am:4040");
    assertEquals("http://rm:8088/proxy/application_1700000000000_0042/", AmStatusReader.proxyUrl(ok, conf));
    assertEquals("http://am:4040/", AmStatusReader.directUrl(ok));
    assertNull(AmStatusReader.proxyUrl(report("N/A", "N/A"), conf));
  }

  @Test
  void readsTheAmsStatusDirectlyWhenTheProxyDoesNotAnswer() throws Exception {
    HttpServer am = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
    am.createContext("/api/v1/status", ex -> {
      byte[] b = "{\"state\":\"RUNNING\",\"clock\":{\"min\":3,\"max\":7}}".getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    am.start();
    try {
      Configuration conf = new YarnConfiguration();
      ApplicationReport r = report("http://127.0.0.1:1/proxy/application_1700000000000_0042/",
          "http://127.0.0.1:" + am.getAddress().getPort() + "/");
      JsonNode status = new AmStatusReader(Duration.ofSeconds(2)).read(r, conf);
      assertEquals(7, status.path("clock").path("max").asLong());

      var summary = StatusSummary.of(r, conf, new AmStatusReader(Duration.ofSeconds(2)));
      assertEquals("RUNNING", summary.get("yarn_state").asText());
      assertEquals(3, summary.get("priority").asInt());
      assertEquals("nightly", summary.get("tags").get(0).asText());
      assertEquals(7, summary.get("job").path("clock").path("max").asLong());
    } finally {
      am.stop(0);
    }
  }

  @Test
  void saysWhyNeitherAddressAnswered() {
    Configuration conf = new YarnConfiguration();
    ApplicationReport r = report("http://127.0.0.1:1/proxy/app/", "http://127.0.0.1:2/");
    IOException e = assertThrows(IOException.class, () -> new AmStatusReader(Duration.ofSeconds(2)).read(r, conf));
    assertTrue(e.getMessage().contains("127.0.0.1:1") && e.getMessage().contains("127.0.0.1:2"), e.getMessage());
    var summary = StatusSummary.of(r, conf, new AmStatusReader(Duration.ofSeconds(2)));
    assertTrue(summary.get("job_error").asText().contains("127.0.0.1:2"));
  }

  @Test
  void listShowsOneRowPerApplication() {
    ApplicationReport a = report("http://rm:8088/proxy/application_1700000000000_0042/", "http://am:1/");
    String table = AppList.table(java.util.List.of(a), 61_000, r -> "http://rm:8088/proxy/x/");
    String[] lines = table.split("\n");
    assertEquals(2, lines.length, table);
    assertTrue(lines[0].startsWith("APPLICATION"), table);
    assertTrue(lines[1].matches("application_1700000000000_0042 +RUNNING +UNDEFINED +25\\.0% +alice +default +lr .* 0:01:00 +http://rm:8088/proxy/x/"),
        table);
  }
}
