// A port-bound Temporal time-skipping test server whose clock starts at a
// given instant (the stock main always starts at real now). Used by
// `jiuzhu simulate` to rehearse a campaign that lies in the past.
//
// Usage: JiuzhuTestServer <port> [--enable-time-skipping] [--initial-time-ms <epoch ms>]
// Built and cached by scripts/temporal-test-server.sh beside the jars.
package io.temporal.testserver;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;

public final class JiuzhuTestServer {
  private JiuzhuTestServer() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("Usage: JiuzhuTestServer <port> [--enable-time-skipping] [--initial-time-ms <epoch ms>]");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    boolean timeSkipping = false;
    long initialTimeMs = 0; // 0: real now (as the stock server)
    for (int i = 1; i < args.length; i++) {
      if (args[i].equalsIgnoreCase("--enable-time-skipping")) {
        timeSkipping = true;
      } else if (args[i].equals("--initial-time-ms") && i + 1 < args.length) {
        initialTimeMs = Long.parseLong(args[++i]);
      } else {
        System.err.println("Unknown flag " + args[i]);
        System.exit(2);
      }
    }
    // lockTimeSkipping = !timeSkipping, as TestServer.main does.
    TestServicesStarter starter = new TestServicesStarter(!timeSkipping, initialTimeMs);
    ServerBuilder<?> builder = Grpc.newServerBuilderForPort(port, InsecureServerCredentials.create());
    GRPCServerHelper.registerServicesAndHealthChecks(starter.getServices(), builder);
    Server server = builder.build().start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.shutdownNow();
      starter.close();
    }));
    server.awaitTermination();
  }
}
