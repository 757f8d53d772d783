import java.util.List;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;

/**
 * Launcher of the stack's MongoDB wire-protocol server (mongo-java-server, a reimplementation for
 * tests). Its own main classes bind to localhost:27017; this one takes the address and the H2
 * MVStore file, so that several stacks can run side by side and data survives a restart.
 * Compiled by `cdc stack up` into <stack dir>/lib-mongo/classes.
 */
public final class CdcMongoServer {

    /**
     * mongo-java-server reports wire version 8, which the Node.js driver 7 refuses (it needs 9,
     * MongoDB 4.4). It reports 13 (MongoDB 5.0) instead; it still implements only a subset.
     */
    private static final MongoVersion VERSION = new MongoVersion() {
        @Override
        public List<Integer> getVersionArray() {
            return List.of(5, 0, 0);
        }

        @Override
        public int getWireVersion() {
            return 13;
        }
    };

    private CdcMongoServer() {
    }

    public static void main(String[] args) {
        if (args.length != 3) {
            System.err.println("usage: CdcMongoServer HOST PORT DATA_FILE");
            System.exit(2);
        }
        MongoBackend backend = new H2Backend(args[2]).version(VERSION);
        MongoServer server = new MongoServer(backend);
        server.bind(args[0], Integer.parseInt(args[1]));
        // SIGTERM (cdc stack down): close the MVStore cleanly, so nothing committed is lost.
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow, "cdc-mongo-shutdown"));
        System.out.println("cdc mongo server listening on " + args[0] + ":" + args[1] + ", data in " + args[2]);
    }
}
