package dev.nificdc.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nificdc.e2e.CdcFlows.ReplicaFlow;
import dev.nificdc.e2e.DatabaseSink.JdbcTarget;
import dev.nificdc.e2e.FlowFileTap.TappedFlowFile;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CaptureBinlogChange in a two-node NiFi 2.3.0 cluster (a ZooKeeper of its own, see {@link ZooKeeperProcess}) while a
 * writer changes the source: the primary node changes twice, once because the primary is disconnected from the
 * cluster (NiFi moves the primary role) and once because it is killed (SIGKILL: the role moves when its ZooKeeper
 * session expires; the node is started again afterwards). After each change the new primary resumes from the
 * cluster state: every committed row change reaches the flow (by its position), and every FlowFile of both nodes,
 * applied by primary key in {@code cdc.sequence.id} order, gives the source table. The replica flow's own result is
 * printed, not asserted: PutDatabaseRecord runs on each node on that node's queue, so FlowFiles the killed node had
 * not yet applied are applied when it is back, after newer changes the new primary captured (see the docs).
 *
 * <p>Not part of the default build (two NiFi nodes start and stop here, minutes on a busy 2-core machine): run it with
 * {@code -Dnifi.e2e.cluster=true -Dit.test=PrimaryNodeChangeIT}.
 */
@EnabledIfSystemProperty(named = "nifi.e2e.cluster", matches = "true")
class PrimaryNodeChangeIT {
    private static final String ITEMS = "(id INT PRIMARY KEY, n BIGINT NOT NULL, label VARCHAR(200), amount DECIMAL(12,2), note TEXT)";
    private static final Duration ROLE_TIMEOUT = Duration.ofSeconds(120);

    private static ZooKeeperProcess zookeeper;
    private static final List<NiFiInstance> NODES = new ArrayList<>();

    @RegisterExtension
    static final SourceAndReplica DATABASES = new SourceAndReplica();

    @TempDir
    Path tapDir;

    @BeforeAll
    static void startCluster() {
        NiFiHome home = NiFiHome.fromBuild();
        zookeeper = ZooKeeperProcess.start(home);
        Path nar = NiFiHome.requiredPath(SharedNiFi.CDC_NAR_PROPERTY);
        for (int i = 0; i < 2; i++) {
            try {
                NODES.add(NiFiInstance.startClusterNode(home, NiFiInstance.ClusterNode.joining(zookeeper.connectString()), nar));
            } catch (IllegalStateException portTakenMeanwhile) {
                System.out.println("PrimaryNodeChangeIT: a node did not start (" + portTakenMeanwhile.getMessage().lines().findFirst().orElse("")
                        + "); once more on other ports");
                NODES.add(NiFiInstance.startClusterNode(home, NiFiInstance.ClusterNode.joining(zookeeper.connectString()), nar));
            }
        }
        NODES.get(0).client().await("both nodes to be connected", () -> connectedNodes(NODES.get(0)), n -> n == 2);
    }

    @AfterAll
    static void stopCluster() {
        NODES.forEach(node -> {
            if (node.isRunning()) {
                System.out.println("=== node " + node.port() + " ===\n" + node.diagnostics());
            }
            node.close();
        });
        if (zookeeper != null) {
            zookeeper.close();
        }
    }

    @Test
    void theNewPrimaryResumesFromTheClusterStateWhenThePrimaryIsDisconnectedOrKilled() throws Exception {
        String db = DATABASES.source().createDatabase("cluster");
        DATABASES.source().execute("CREATE TABLE `" + db + "`.items " + ITEMS);
        DATABASES.replica().execute("CREATE DATABASE `" + db + "` CHARACTER SET utf8mb4", "CREATE TABLE `" + db + "`.items " + ITEMS);
        JdbcTarget target = JdbcTargets.mariaDb(DATABASES.replica(), db, "nifi_cluster", "cluster-Secret-1");
        NiFiRestClient client = NODES.get(0).client();
        ReplicaFlow flow = CdcFlows.importReplica(client, "Cluster " + db, DATABASES.source(), db, target);
        FlowFileTap tap = FlowFileTap.attach(client, flow.groupId(), flow.captureId(), "success", tapDir);
        client.startGroup(flow.groupId());

        String items = "`" + db + "`.items";
        List<String> primaries = new ArrayList<>();
        ChangeWriter writer = new ChangeWriter(DATABASES.source()::adminConnection, items, true).start();
        try {
            awaitReplicaRows(target, items, 100);
            NiFiInstance first = primary(NODES.get(0));
            primaries.add(first.port() + "");
            System.out.println("PrimaryNodeChangeIT: primary is the node on port " + first.port() + "; disconnecting it");

            NiFiInstance other = otherThan(first);
            setNodeStatus(other, nodeId(other, first), "DISCONNECTING");
            NiFiInstance second = awaitPrimary(other, n -> n != first);
            primaries.add(second.port() + "");
            long rows = replicaRows(target, items);
            awaitReplicaRows(target, items, rows + 100);
            setNodeStatus(second, nodeId(second, first), "CONNECTING");
            second.client().await("the disconnected node to reconnect", () -> connectedNodes(second), n -> n == 2);
            System.out.println("PrimaryNodeChangeIT: primary is now the node on port " + second.port() + "; killing it");

            second.kill();
            NiFiInstance third = awaitPrimary(first, n -> n == first);
            primaries.add(third.port() + "");
            rows = replicaRows(target, items);
            awaitReplicaRows(target, items, rows + 100);
            second.start();
            third.client().await("the killed node to rejoin", () -> connectedNodes(third), n -> n == 2);
            NiFiInstance.sleep(2000);
        } finally {
            writer.close();
        }
        System.out.println("PrimaryNodeChangeIT: primaries " + primaries + ", writer committed " + writer.rowChanges() + " row changes");
        assertNotEquals(primaries.get(0), primaries.get(1));
        assertNotEquals(primaries.get(1), primaries.get(2));

        Instant deadline = Instant.now().plus(Duration.ofSeconds(180));
        List<String> expected;
        List<String> actual;
        do {
            NiFiInstance.sleep(1000);
            try (Connection s = DATABASES.source().adminConnection(); Connection r = CdcFlows.open(target)) {
                expected = CdcFlows.dump(s, items);
                actual = CdcFlows.dump(r, items);
            }
        } while ((!expected.equals(actual) || NODES.get(0).client().queuedInGroup(flow.groupId()) > 0) && Instant.now().isBefore(deadline));
        Set<String> stale = new java.util.TreeSet<>(actual);
        stale.removeAll(expected);
        System.out.printf("PrimaryNodeChangeIT: replica %d rows, source %d rows, %d replica rows differ from the source %s%n",
                actual.size(), expected.size(), stale.size(), stale);

        List<TappedFlowFile> tapped = tap.flowFiles();
        Map<String, Integer> positions = new HashMap<>();
        for (TappedFlowFile flowFile : tapped) {
            for (GenericRecord record : flowFile.avroRecords()) {
                positions.merge(record.get("__file") + ":" + record.get("__pos") + "#" + record.get("__index"), 1, Integer::sum);
            }
        }
        Set<String> repeated = positions.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).collect(Collectors.toSet());
        System.out.printf("PrimaryNodeChangeIT: %d FlowFiles tapped, %d distinct positions, %d repeated %s%n", tapped.size(), positions.size(),
                repeated.size(), repeated);
        assertEquals(writer.rowChanges(), positions.size(), "every row change the writer committed reached the flow (by position)");
        assertEquals(expected.stream().sorted().toList(), BinlogCommitWindowIT.replay(tapped, List.of("id"), List.of("id", "n", "label", "amount", "note")),
                "every FlowFile of both nodes applied by primary key in cdc.sequence.id order");
        assertTrue(repeated.size() < 50, "repeats only from the runs in progress when the primary changed: " + repeated.size());
    }

    private static long connectedNodes(NiFiInstance node) {
        try {
            long connected = 0;
            for (JsonNode n : node.client().get("/controller/cluster").path("cluster").path("nodes")) {
                connected += "CONNECTED".equals(n.path("status").asText()) ? 1 : 0;
            }
            return connected;
        } catch (RuntimeException notAnsweringYet) {
            return -1;
        }
    }

    /** The running node that holds the primary role, as {@code asked} sees the cluster. */
    private static NiFiInstance primary(NiFiInstance asked) {
        for (JsonNode n : asked.client().get("/controller/cluster").path("cluster").path("nodes")) {
            for (JsonNode role : n.path("roles")) {
                if ("Primary Node".equals(role.asText())) {
                    int port = n.path("apiPort").asInt();
                    return NODES.stream().filter(node -> node.port() == port).findFirst().orElseThrow();
                }
            }
        }
        return null;
    }

    private static NiFiInstance awaitPrimary(NiFiInstance asked, java.util.function.Predicate<NiFiInstance> expected) {
        Instant deadline = Instant.now().plus(ROLE_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            try {
                NiFiInstance primary = primary(asked);
                if (primary != null && expected.test(primary)) {
                    return primary;
                }
            } catch (RuntimeException e) {
                // the cluster is re-electing
            }
            NiFiInstance.sleep(1000);
        }
        throw new AssertionError("The primary role did not move within " + ROLE_TIMEOUT.toSeconds() + " s");
    }

    private static NiFiInstance otherThan(NiFiInstance node) {
        return NODES.stream().filter(n -> n != node).findFirst().orElseThrow();
    }

    private static String nodeId(NiFiInstance asked, NiFiInstance node) {
        for (JsonNode n : asked.client().get("/controller/cluster").path("cluster").path("nodes")) {
            if (n.path("apiPort").asInt() == node.port()) {
                return n.path("nodeId").asText();
            }
        }
        throw new IllegalStateException("No node with API port " + node.port());
    }

    private static void setNodeStatus(NiFiInstance asked, String nodeId, String status) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.putObject("node").put("nodeId", nodeId).put("status", status);
        asked.client().put("/controller/cluster/nodes/" + nodeId, body);
    }

    private static long replicaRows(JdbcTarget target, String table) throws Exception {
        return Long.parseLong(BinlogCrashIT.query(target, "SELECT COUNT(*) FROM " + table).get(0));
    }

    private static void awaitReplicaRows(JdbcTarget target, String table, long atLeast) throws Exception {
        Instant deadline = Instant.now().plus(ROLE_TIMEOUT);
        while (replicaRows(target, table) < atLeast) {
            assertTrue(Instant.now().isBefore(deadline), "the replica did not reach " + atLeast + " rows: the capture is not running");
            NiFiInstance.sleep(500);
        }
    }
}
