/*
 * Starts fabric8's KubernetesMockServer in CRUD mode on 127.0.0.1:PORT over plain
 * HTTP and prints its URL, then serves until killed. Nothing else: no expectations
 * are recorded, so the answers are the CRUD dispatcher's own, as a mock author's
 * tests would see them.
 */
package dev.podpatch.fabric8;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import java.net.InetAddress;
import java.util.Collections;
import java.util.HashMap;
import io.fabric8.mockwebserver.MockWebServer;

public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
    KubernetesMockServer server = new KubernetesMockServer(
        new Context(Serialization.jsonMapper()),
        new MockWebServer(),
        new HashMap<>(),
        new KubernetesCrudDispatcher(Collections.emptyList()),
        false);
    server.init(InetAddress.getByName("127.0.0.1"), port);
    Runtime.getRuntime().addShutdownHook(new Thread(server::destroy));
    System.out.println("http://127.0.0.1:" + server.getPort());
    System.out.flush();
    Thread.currentThread().join();
  }
}
